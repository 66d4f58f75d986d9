import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { AttestError } from './errors';

/** The signature schemes this library produces and verifies. */
export type SignatureAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256'];

/** A public key as a KeyObject, a PEM text (SPKI) or the raw SPKI DER bytes. */
export type PublicKeyInput = KeyObject | string | Uint8Array;

/** A private key as a KeyObject or a PEM text (PKCS#8 or SEC1). */
export type PrivateKeyInput = KeyObject | string;

export function toPublicKey(input: PublicKeyInput): KeyObject {
  try {
    if (input instanceof KeyObject) {
      return input.type === 'private' ? createPublicKey(input) : input;
    }
    if (typeof input === 'string') return createPublicKey(input);
    return createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new AttestError(
      'KEY_INVALID',
      'public key cannot be parsed (expected SPKI PEM/DER)',
      {},
      { cause },
    );
  }
}

export function toPrivateKey(input: PrivateKeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new AttestError('KEY_INVALID', 'a private key is required');
    return input;
  }
  try {
    return createPrivateKey(input);
  } catch (cause) {
    throw new AttestError(
      'KEY_INVALID',
      'private key cannot be parsed (expected PKCS#8/SEC1 PEM)',
      {},
      { cause },
    );
  }
}

/** Which scheme a key is for; any other key type or curve is refused. */
export function algorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ecdsa-p256-sha256';
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new AttestError(
    'KEY_UNSUPPORTED',
    `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}: use Ed25519 or ECDSA P-256`,
    { keyType: key.asymmetricKeyType, curve },
  );
}

/** The `algorithm` argument of crypto.sign/verify for a scheme (Ed25519 hashes internally). */
export function nodeDigestOf(algorithm: SignatureAlgorithm): 'sha256' | null {
  return algorithm === 'ed25519' ? null : 'sha256';
}

/** DER SubjectPublicKeyInfo of a key: the form key ids and fingerprints are computed over. */
export function spkiDer(key: PublicKeyInput | KeyObject): Buffer {
  return toPublicKey(key).export({ format: 'der', type: 'spki' });
}

/**
 * Default key id: lowercase hex SHA-256 of the DER SubjectPublicKeyInfo. Any party holding the
 * public key can recompute it; a signer may still use another id (e.g. a KMS key name), the
 * key id being only an unauthenticated hint in DSSE.
 */
export function publicKeyId(key: PublicKeyInput): string {
  return createHash('sha256').update(spkiDer(key)).digest('hex');
}

export function publicKeyPem(key: PublicKeyInput): string {
  return toPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

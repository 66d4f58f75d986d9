import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import {
  algorithmOf,
  nodeDigestOf,
  publicKeyId,
  spkiDer,
  toPublicKey,
  type PublicKeyInput,
  type SignatureAlgorithm,
} from '../keys';
import { P1363_P256_SIGNATURE_BYTES } from './ecdsa-signature';

/**
 * Checks a raw signature over the given bytes (the DSSE PAE). Answers false for a signature that
 * does not verify; throws only when it cannot answer (e.g. a remote verifier is unreachable).
 */
export interface Verifier {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  verify(data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** A trusted public key given as key material instead of a Verifier. */
export interface TrustedPublicKey {
  readonly keyId?: string;
  readonly publicKey: PublicKeyInput;
}

export type TrustedKey = Verifier | TrustedPublicKey;

const ED25519_SIGNATURE_BYTES = 64;

/**
 * Verifier over an in-process public key. ECDSA P-256 signatures are accepted in DER (what
 * envelopes carry) and, when 64 bytes long, also as IEEE P1363 r||s (the DSSE spec's own test
 * vector and WebCrypto use it). Both encodings prove the same thing; accepting P1363 adds no
 * forgery capability, and ECDSA signatures are malleable in any case, so they are never used as
 * identifiers.
 */
export class PublicKeyVerifier implements Verifier {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  /** Hex SHA-256 of the SPKI DER: detects one key configured twice under different ids. */
  readonly fingerprint: string;
  readonly publicKey: KeyObject;
  private readonly digest: 'sha256' | null;

  constructor(publicKey: PublicKeyInput, keyId?: string) {
    this.publicKey = toPublicKey(publicKey);
    this.algorithm = algorithmOf(this.publicKey);
    this.digest = nodeDigestOf(this.algorithm);
    this.fingerprint = createHash('sha256').update(spkiDer(this.publicKey)).digest('hex');
    this.keyId = keyId ?? publicKeyId(this.publicKey);
  }

  verify(data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return Promise.resolve(this.verifySync(data, signature));
  }

  verifySync(data: Uint8Array, signature: Uint8Array): boolean {
    if (this.algorithm === 'ed25519') {
      return signature.byteLength === ED25519_SIGNATURE_BYTES && this.check(data, signature);
    }
    if (this.check(data, signature, 'der')) return true;
    return signature.byteLength === P1363_P256_SIGNATURE_BYTES && this.check(data, signature, 'ieee-p1363');
  }

  private check(data: Uint8Array, signature: Uint8Array, dsaEncoding?: 'der' | 'ieee-p1363'): boolean {
    try {
      const key = dsaEncoding ? { key: this.publicKey, dsaEncoding } : this.publicKey;
      return cryptoVerify(this.digest, data, key, signature);
    } catch {
      // OpenSSL throws on some malformed signatures instead of returning false: same answer.
      return false;
    }
  }
}

export function createKeyVerifier(
  publicKey: PublicKeyInput,
  options: { keyId?: string } = {},
): PublicKeyVerifier {
  return new PublicKeyVerifier(publicKey, options.keyId);
}

export function isVerifier(key: TrustedKey): key is Verifier {
  return typeof (key as Partial<Verifier>).verify === 'function';
}

import { AttestError } from '../errors';
import { decodeEnvelope, type DsseEnvelope, type EnvelopeLimits } from './envelope';
import { preAuthEncoding } from './pae';
import { createKeyVerifier, isVerifier, PublicKeyVerifier, type TrustedKey, type Verifier } from './verifier';

export interface VerifyEnvelopeOptions {
  /** Minimum number of unique trusted keys whose signature must verify. Default 1. */
  readonly threshold?: number;
  /** Accepted payloadType(s); checked after the signatures, as DSSE prescribes. Default: any. */
  readonly payloadType?: string | readonly string[];
  readonly limits?: Partial<EnvelopeLimits>;
}

export interface VerifiedEnvelope {
  readonly payloadType: string;
  /**
   * The exact bytes the signatures were verified over. Use these, never a re-parse of the
   * envelope (DSSE: "MUST NOT re-parse the envelope after verification").
   */
  readonly payload: Buffer;
  /** Key ids of the trusted keys that verified, in the order they were accepted. */
  readonly verifiedKeyIds: readonly string[];
  readonly envelope: DsseEnvelope;
}

export const DEFAULT_THRESHOLD = 1;

/**
 * DSSE (t, n) verification: passes when signatures from at least `threshold` unique trusted keys
 * verify over PAE(payloadType, payload). A signature's keyid only narrows which keys are tried
 * first (it is unauthenticated); when it names no trusted key, every remaining key is tried.
 */
export async function verifyEnvelope(
  input: unknown,
  trustedKeys: readonly TrustedKey[],
  options: VerifyEnvelopeOptions = {},
): Promise<VerifiedEnvelope> {
  const verifiers = toVerifiers(trustedKeys);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new AttestError(
      'TRUST_CONFIG_INVALID',
      `threshold must be a positive integer, got ${String(threshold)}`,
    );
  }
  if (threshold > verifiers.length) {
    throw new AttestError(
      'TRUST_CONFIG_INVALID',
      `threshold ${threshold} can never be met with ${verifiers.length} trusted key(s)`,
      { threshold, trustedKeys: verifiers.length },
    );
  }

  const decoded = decodeEnvelope(input, options.limits);
  const pae = preAuthEncoding(decoded.envelope.payloadType, decoded.payload);
  const accepted = new Set<string>();

  for (const signature of decoded.signatures) {
    if (accepted.size >= threshold) break;
    const remaining = verifiers.filter((v) => !accepted.has(v.keyId));
    const named = signature.keyid ? remaining.filter((v) => v.keyId === signature.keyid) : [];
    const candidates = named.length > 0 ? named : remaining;
    for (const verifier of candidates) {
      if (await callVerifier(verifier, pae, signature.sig)) {
        accepted.add(verifier.keyId);
        break;
      }
    }
  }

  if (accepted.size === 0) {
    throw new AttestError(
      'SIGNATURE_INVALID',
      decoded.signatures.length === 0
        ? 'envelope carries no signature'
        : 'no signature verifies against a trusted key',
      { threshold, signatures: decoded.signatures.length, keyIds: decoded.signatures.map((s) => s.keyid) },
    );
  }
  if (accepted.size < threshold) {
    throw new AttestError(
      'THRESHOLD_NOT_MET',
      `${accepted.size} of the required ${threshold} trusted keys signed the envelope`,
      { threshold, verifiedKeyIds: [...accepted] },
    );
  }

  const allowedTypes = options.payloadType === undefined ? undefined : [options.payloadType].flat();
  if (allowedTypes && !allowedTypes.includes(decoded.envelope.payloadType)) {
    throw new AttestError(
      'PAYLOAD_TYPE_UNSUPPORTED',
      `payloadType ${decoded.envelope.payloadType} is not accepted`,
      {
        payloadType: decoded.envelope.payloadType,
        accepted: allowedTypes,
      },
    );
  }

  return {
    payloadType: decoded.envelope.payloadType,
    payload: decoded.payload,
    verifiedKeyIds: [...accepted],
    envelope: decoded.envelope,
  };
}

/**
 * Turns trusted keys into verifiers and refuses a trust set in which one key could be counted
 * twice toward the threshold (same key id, or the same public key under two ids).
 */
export function toVerifiers(trustedKeys: readonly TrustedKey[]): Verifier[] {
  if (trustedKeys.length === 0) throw new AttestError('TRUST_CONFIG_INVALID', 'no trusted keys given');
  const verifiers = trustedKeys.map((key) =>
    isVerifier(key) ? key : createKeyVerifier(key.publicKey, { keyId: key.keyId }),
  );
  const ids = new Set<string>();
  const fingerprints = new Set<string>();
  for (const verifier of verifiers) {
    if (ids.has(verifier.keyId)) {
      throw new AttestError('TRUST_CONFIG_INVALID', `trusted key id ${verifier.keyId} appears twice`, {
        keyId: verifier.keyId,
      });
    }
    ids.add(verifier.keyId);
    if (verifier instanceof PublicKeyVerifier) {
      if (fingerprints.has(verifier.fingerprint)) {
        throw new AttestError(
          'TRUST_CONFIG_INVALID',
          `public key of ${verifier.keyId} is trusted under two key ids`,
          {
            keyId: verifier.keyId,
          },
        );
      }
      fingerprints.add(verifier.fingerprint);
    }
  }
  return verifiers;
}

async function callVerifier(verifier: Verifier, pae: Buffer, sig: Buffer): Promise<boolean> {
  if (verifier instanceof PublicKeyVerifier) return verifier.verifySync(pae, sig);
  try {
    return (await verifier.verify(pae, sig)) === true;
  } catch (cause) {
    throw new AttestError(
      'VERIFIER_FAILED',
      `verifier for key ${verifier.keyId} failed`,
      { keyId: verifier.keyId },
      { cause },
    );
  }
}

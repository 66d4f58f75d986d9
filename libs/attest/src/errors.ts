/**
 * Every failure of this library is an `AttestError` with a code from this union, so callers
 * (signer service, attestor, offline verifier, CLI) map them to problem+json / exit codes at
 * their edge without parsing messages.
 */
export type AttestErrorCode =
  /** Envelope/bundle JSON is not well-formed, misses fields or holds invalid base64. */
  | 'ENVELOPE_MALFORMED'
  /** A size bound (payload, signature count, field length) was exceeded. */
  | 'ENVELOPE_TOO_LARGE'
  /** No signature verified against any trusted key. */
  | 'SIGNATURE_INVALID'
  /** Some signatures verified, but from fewer unique trusted keys than the threshold. */
  | 'THRESHOLD_NOT_MET'
  /** The payloadType is not one the caller accepts. */
  | 'PAYLOAD_TYPE_UNSUPPORTED'
  /** The key is of a type/curve this library does not sign or verify with. */
  | 'KEY_UNSUPPORTED'
  /** Key material could not be parsed. */
  | 'KEY_INVALID'
  /** A Signer threw or returned an unusable signature. */
  | 'SIGNER_FAILED'
  /** A caller-supplied Verifier threw (as opposed to answering "invalid"). */
  | 'VERIFIER_FAILED'
  /** Trusted keys / threshold / signer set are inconsistent (duplicates, impossible threshold). */
  | 'TRUST_CONFIG_INVALID'
  /** The payload is not a valid in-toto Statement v1. */
  | 'STATEMENT_INVALID'
  /** The predicate does not match the schema of its predicateType. */
  | 'PREDICATE_INVALID'
  /** The predicateType is not one the caller accepts / this library knows. */
  | 'PREDICATE_TYPE_UNSUPPORTED'
  /** The Statement's subject does not match what the caller or predicate requires. */
  | 'SUBJECT_MISMATCH'
  /** The payload is required to be RFC 8785 canonical JSON and is not. */
  | 'PAYLOAD_NOT_CANONICAL'
  /** The Sigstore bundle is not a well-formed v0.3 public-key DSSE bundle. */
  | 'BUNDLE_MALFORMED';

/** One schema violation: a JSON path (`$.signatures[0].sig`) and what is wrong there. */
export interface AttestIssue {
  readonly path: string;
  readonly message: string;
}

export interface AttestErrorDetails {
  readonly issues?: readonly AttestIssue[];
  readonly [key: string]: unknown;
}

export class AttestError extends Error {
  override readonly name = 'AttestError';

  constructor(
    readonly code: AttestErrorCode,
    message: string,
    readonly details: AttestErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Machine-readable form (no stack, no cause) for logs and API error bodies. */
  toJSON(): { code: AttestErrorCode; message: string; details: AttestErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isAttestError(value: unknown, code?: AttestErrorCode): value is AttestError {
  return value instanceof AttestError && (code === undefined || value.code === code);
}

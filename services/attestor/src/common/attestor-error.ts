/** Every refusal of the attestor's use cases; mapped to problem+json at the HTTP edge only. */
export type AttestorErrorCode =
  | 'INVALID_REQUEST'
  | 'ENTRY_TOO_LARGE'
  | 'ENTRY_NOT_FOUND'
  | 'ATTESTATION_NOT_FOUND'
  | 'OUT_OF_RANGE'
  | 'ENVELOPE_MALFORMED'
  | 'SIGNATURE_UNTRUSTED'
  | 'STATEMENT_INVALID'
  | 'CERTIFICATE_UNTRUSTED'
  | 'SIGNER_UNAVAILABLE'
  | 'SIGNER_REFUSED'
  | 'LOG_UNAVAILABLE';

export class AttestorError extends Error {
  override readonly name = 'AttestorError';

  constructor(
    readonly code: AttestorErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAttestorError(value: unknown, code?: AttestorErrorCode): value is AttestorError {
  return value instanceof AttestorError && (code === undefined || value.code === code);
}

const STATUS: Record<AttestorErrorCode, number> = {
  INVALID_REQUEST: 400,
  ENVELOPE_MALFORMED: 400,
  ENTRY_TOO_LARGE: 413,
  ENTRY_NOT_FOUND: 404,
  ATTESTATION_NOT_FOUND: 404,
  OUT_OF_RANGE: 400,
  SIGNATURE_UNTRUSTED: 422,
  STATEMENT_INVALID: 422,
  CERTIFICATE_UNTRUSTED: 422,
  SIGNER_UNAVAILABLE: 503,
  SIGNER_REFUSED: 502,
  LOG_UNAVAILABLE: 503,
};

export function attestorErrorStatus(code: AttestorErrorCode): number {
  return STATUS[code];
}

/** Every refusal of the signer's use cases; mapped to HTTP problems and NATS error replies at the edges only. */
export type SignerErrorCode =
  | 'INVALID_REQUEST'
  | 'KEY_NOT_FOUND'
  | 'KEY_RETIRED'
  | 'KEY_REVOKED'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'NO_ACTIVE_KEY'
  | 'RATE_LIMITED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'KEY_MATERIAL_INVALID'
  | 'KEK_MISMATCH'
  | 'SIGSTORE_DISABLED'
  | 'SIGSTORE_UNAVAILABLE'
  | 'SIGSTORE_IDENTITY_UNAVAILABLE';

export class SignerError extends Error {
  override readonly name = 'SignerError';

  constructor(
    readonly code: SignerErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: SignerErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isSignerError(value: unknown, code?: SignerErrorCode): value is SignerError {
  return value instanceof SignerError && (code === undefined || value.code === code);
}

const STATUS: Record<SignerErrorCode, number> = {
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  KEY_NOT_FOUND: 404,
  KEY_RETIRED: 409,
  KEY_REVOKED: 409,
  CERTIFICATE_EXPIRED: 409,
  CERTIFICATE_NOT_YET_VALID: 409,
  ALGORITHM_NOT_ALLOWED: 422,
  RATE_LIMITED: 429,
  NO_ACTIVE_KEY: 503,
  KEY_MATERIAL_INVALID: 500,
  KEK_MISMATCH: 500,
  SIGSTORE_DISABLED: 400,
  SIGSTORE_UNAVAILABLE: 503,
  SIGSTORE_IDENTITY_UNAVAILABLE: 503,
};

export function signerErrorStatus(code: SignerErrorCode): number {
  return STATUS[code];
}

/** `KEY_NOT_FOUND` -> `key-not-found`, the problem type slug. */
export function problemSlug(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}

/**
 * Every way a request can be refused by libs/auth. The codes are stable and machine-readable:
 * they are rendered as `code` in problem+json bodies and used in metrics labels.
 */
export type AuthErrorCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_KID'
  | 'ALG_NOT_ALLOWED'
  | 'WRONG_AUDIENCE'
  | 'WRONG_ISSUER'
  | 'WRONG_TENANT'
  | 'INSUFFICIENT_SCOPE'
  // The verification keys could not be fetched at all: the caller is not at fault (503, not 401).
  | 'KEYS_UNAVAILABLE';

export class AuthError<C extends AuthErrorCode = AuthErrorCode> extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown; missingScopes?: readonly string[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.missingScopes = options?.missingScopes ?? [];
  }

  /** Scopes the token lacked; only set for INSUFFICIENT_SCOPE. */
  readonly missingScopes: readonly string[];
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}

/** HTTP status for an auth refusal: who is at fault decides between 401, 403 and 503. */
export function authErrorStatus(code: AuthErrorCode): 401 | 403 | 503 {
  switch (code) {
    case 'WRONG_TENANT':
    case 'INSUFFICIENT_SCOPE':
      return 403;
    case 'KEYS_UNAVAILABLE':
      return 503;
    default:
      return 401;
  }
}

export type ServiceTokenErrorCode =
  'TOKEN_ENDPOINT_UNREACHABLE' | 'TOKEN_REQUEST_REJECTED' | 'TOKEN_RESPONSE_INVALID';

export class ServiceTokenError<C extends ServiceTokenErrorCode = ServiceTokenErrorCode> extends Error {
  override readonly name = 'ServiceTokenError';

  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown; status?: number; oauthError?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.oauthError = options?.oauthError;
  }

  /** HTTP status of the token endpoint's answer, when there was one. */
  readonly status: number | undefined;
  /** RFC 6749 `error` value returned by the token endpoint, e.g. `invalid_client`. */
  readonly oauthError: string | undefined;
}

import { AuthError, authErrorStatus } from '@stella/auth';
import { ProblemError } from '@stella/platform';
import { isSignerError, problemSlug, signerErrorStatus } from './signer-error';

/** Maps a signer refusal to problem+json; anything else propagates to the platform filter (500). */
export function toHttpProblem(error: unknown): unknown {
  if (!isSignerError(error)) return error;
  const retryAfterMs = error.details.retryAfterMs;
  return new ProblemError(
    signerErrorStatus(error.code),
    { type: problemSlug(error.code), title: error.message, code: error.code, ...error.details },
    {
      cause: error,
      ...(typeof retryAfterMs === 'number'
        ? { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } }
        : {}),
    },
  );
}

/** The NATS error reply body: the same codes as HTTP, with the HTTP status for callers that map back. */
export function toWireError(error: unknown): {
  code: string;
  message: string;
  status: number;
  details?: Record<string, unknown>;
} {
  if (isSignerError(error)) {
    return {
      code: error.code,
      message: error.message,
      status: signerErrorStatus(error.code),
      details: { ...error.details },
    };
  }
  if (error instanceof AuthError) {
    return {
      code: error.code,
      message: error.message,
      status: authErrorStatus(error.code),
      ...(error.missingScopes.length > 0 ? { details: { missingScopes: [...error.missingScopes] } } : {}),
    };
  }
  return { code: 'INTERNAL', message: 'the signer failed to process the request', status: 500 };
}

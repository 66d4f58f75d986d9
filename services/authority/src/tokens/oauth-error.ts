import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

/** RFC 6749 §5.2 error codes this endpoint uses (+ RFC 8707 invalid_target). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'temporarily_unavailable';

/** A refusal of the token endpoint, rendered as OAuth error JSON rather than problem+json. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly status: 400 | 401 | 429,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
  }
}

@Catch(OAuthError)
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: OAuthError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{
      status(code: number): unknown;
      setHeader(name: string, value: string): unknown;
      send(body: string): unknown;
    }>();
    res.status(exception.status);
    for (const [name, value] of Object.entries(exception.headers)) res.setHeader(name, value);
    res.setHeader('Content-Type', 'application/json');
    // RFC 6749 §5.1: token responses, errors included, must not be cached.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.send(JSON.stringify({ error: exception.error, error_description: exception.description }));
  }
}

import { OAuthError } from './oauth-error';

export interface PresentedClientCredentials {
  clientId: string;
  clientSecret: string;
  /** HTTP Basic was used: a 401 must then carry a Basic challenge (RFC 6749 §5.2). */
  viaBasic: boolean;
}

export const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="stella", charset="UTF-8"' };

/** application/x-www-form-urlencoded decoding of one Basic credential part (RFC 6749 §2.3.1). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * Client credentials from the Authorization header (Basic) or the body. Using both at once is
 * refused, as RFC 6749 §2.3 requires.
 */
export function presentedClientCredentials(
  authorization: string | undefined,
  body: { client_id?: string; client_secret?: string },
): PresentedClientCredentials | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (authorization !== undefined && authorization.length > 0 && !basic) {
    throw new OAuthError(401, 'invalid_client', 'client authentication must use HTTP Basic', BASIC_CHALLENGE);
  }
  if (basic) {
    if (body.client_secret !== undefined) {
      throw new OAuthError(400, 'invalid_request', 'use one client authentication method, not two');
    }
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1)
      throw new OAuthError(401, 'invalid_client', 'malformed Basic credentials', BASIC_CHALLENGE);
    try {
      const clientId = formDecode(decoded.slice(0, colon));
      if (body.client_id !== undefined && body.client_id !== clientId) {
        throw new OAuthError(400, 'invalid_request', 'client_id differs from the authenticated client');
      }
      return { clientId, clientSecret: formDecode(decoded.slice(colon + 1)), viaBasic: true };
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw new OAuthError(401, 'invalid_client', 'malformed Basic credentials', BASIC_CHALLENGE);
    }
  }
  if (body.client_id !== undefined && body.client_secret !== undefined) {
    return { clientId: body.client_id, clientSecret: body.client_secret, viaBasic: false };
  }
  return undefined;
}

import { z } from 'zod';

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  scope: z.string().default(''),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export class AuthorityError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AuthorityError';
  }
}

export const CLI_CLIENT_ID = 'stella-cli';

export type TokenRequest =
  | { grant: 'client_credentials'; clientId: string; clientSecret: string; scope?: string }
  | { grant: 'password'; username: string; password: string; tenant?: string; scope?: string };

/** OAuth 2.0 token request against the authority (RFC 6749 section 4.3 / 4.4). */
export async function requestToken(authorityUrl: string, request: TokenRequest): Promise<TokenResponse> {
  const form = new URLSearchParams({ grant_type: request.grant });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (request.grant === 'client_credentials') {
    // RFC 6749 2.3.1: client id and secret are form-urlencoded before Basic encoding.
    const basic = `${encodeURIComponent(request.clientId)}:${encodeURIComponent(request.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  } else {
    // The CLI is the authority's first-party public client: no secret, password grant only.
    form.set('client_id', CLI_CLIENT_ID);
    form.set('username', request.username);
    form.set('password', request.password);
    if (request.tenant) form.set('tenant', request.tenant);
  }
  if (request.scope) form.set('scope', request.scope);
  const response = await fetchOrExplain(new URL('/oauth/token', authorityUrl), {
    method: 'POST',
    headers,
    body: form,
  });
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok) {
    const reason =
      body && typeof body.error === 'string'
        ? `${body.error}${body.error_description ? `: ${String(body.error_description)}` : ''}`
        : `HTTP ${response.status}`;
    throw new AuthorityError(`login refused by ${authorityUrl}: ${reason}`, response.status);
  }
  return tokenResponseSchema.parse(body);
}

export async function fetchOrExplain(url: URL, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new AuthorityError(
      `cannot reach ${url.origin} (${cause}); is the fleet running? (npm run quickstart)`,
    );
  }
}

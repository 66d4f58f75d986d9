import { z } from 'zod';
import { ServiceTokenError } from './errors';
import { systemClock, type Clock } from './principal';

const optionsSchema = z.object({
  tokenUrl: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'RFC 6749 scope-token')).min(1),
  audience: z.string().min(1).optional(),
  /** Refresh this long before expiry so a token never expires in flight. */
  refreshBeforeExpirySec: z.number().int().min(0).default(30),
  timeoutMs: z.number().int().positive().default(5_000),
});

export type ServiceTokenClientOptions = z.input<typeof optionsSchema> & {
  clock?: Clock;
  fetchFn?: typeof fetch;
};

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
  scope: z.string().optional(),
});

const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

interface CachedToken {
  readonly accessToken: string;
  readonly refreshAtMs: number;
}

/**
 * Obtains access tokens for service-to-service calls with the client_credentials grant (RFC 6749
 * §4.4), caches the token until shortly before it expires, and lets concurrent callers share one
 * refresh instead of stampeding the authority.
 */
export class ServiceTokenClient {
  private readonly options: z.output<typeof optionsSchema>;
  private readonly clock: Clock;
  private readonly fetchFn: typeof fetch;
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;

  constructor(options: ServiceTokenClientOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new TypeError(`invalid ServiceTokenClient options: ${z.prettifyError(parsed.error)}`);
    }
    this.options = parsed.data;
    this.clock = options.clock ?? systemClock;
    this.fetchFn = options.fetchFn ?? fetch;
  }

  /** A valid access token, from cache when possible. */
  async getToken(): Promise<string> {
    const cached = this.cached;
    if (cached && this.clock.now() < cached.refreshAtMs) return cached.accessToken;
    this.inFlight ??= this.requestToken().finally(() => {
      this.inFlight = undefined;
    });
    const fresh = await this.inFlight;
    return fresh.accessToken;
  }

  /** `Bearer <token>`, ready for an Authorization header. */
  async authorizationHeader(): Promise<string> {
    return `Bearer ${await this.getToken()}`;
  }

  /** Drops the cached token, e.g. after a downstream service answered 401 to it. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async requestToken(): Promise<CachedToken> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.options.scopes.join(' '),
    });
    if (this.options.audience !== undefined) form.set('audience', this.options.audience);
    // RFC 6749 §2.3.1: the id and secret are form-urlencoded before being joined for Basic auth.
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    const requestedAt = this.clock.now();

    let response: Response;
    let body: unknown;
    try {
      response = await this.fetchFn(this.options.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      throw new ServiceTokenError('TOKEN_ENDPOINT_UNREACHABLE', `cannot reach ${this.options.tokenUrl}`, {
        cause: error,
      });
    }

    if (!response.ok) {
      const oauth = oauthErrorSchema.safeParse(body);
      const detail = oauth.success
        ? `${oauth.data.error}${oauth.data.error_description ? `: ${oauth.data.error_description}` : ''}`
        : `HTTP ${response.status}`;
      throw new ServiceTokenError('TOKEN_REQUEST_REJECTED', `token request refused (${detail})`, {
        status: response.status,
        oauthError: oauth.success ? oauth.data.error : undefined,
      });
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw new ServiceTokenError(
        'TOKEN_RESPONSE_INVALID',
        'token endpoint answered an invalid token response',
        {
          cause: parsed.error,
          status: response.status,
        },
      );
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    // Never refresh earlier than half-way through the lifetime, even for very short-lived tokens.
    const marginMs = Math.min(this.options.refreshBeforeExpirySec * 1000, lifetimeMs / 2);
    const token: CachedToken = {
      accessToken: parsed.data.access_token,
      refreshAtMs: requestedAt + lifetimeMs - marginMs,
    };
    this.cached = token;
    return token;
  }
}

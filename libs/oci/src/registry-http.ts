import { z } from 'zod';
import { parseAuthChallenges, type AuthChallenge } from './challenge';
import type { RegistryCredential, RegistryCredentials } from './credentials';
import { OciError, type RegistryErrorEntry } from './errors';
import { registryEndpoint } from './reference';
import type { TransportPolicy } from './transport-policy';

/** What the client hands to its HTTP port: always a manual redirect, the client follows redirects itself. */
export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  redirect: 'manual';
}

/** The HTTP side-effect port. The default is undici's fetch; tests inject a fake returning `Response`s. */
export type HttpFetch = (url: string, init: HttpRequest) => Promise<Response>;

export interface Clock {
  now(): number;
}

export interface RegistryHttpOptions {
  fetch: HttpFetch;
  policy: TransportPolicy;
  credentials: RegistryCredentials;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  retries: number;
  retryBaseDelayMs: number;
  userAgent: string;
}

export type ScopeActions = 'pull' | 'pull,push';

export interface RegistryCall {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST';
  /** Registry name as in references (`docker.io`), used for credentials and token cache. */
  registry: string;
  repository: string;
  actions: ScopeActions;
  /** `/v2/...` path on the registry, or an absolute URL the registry handed out (upload location, next page). */
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_TOKEN_BODY_BYTES = 1024 * 1024;
/** Distribution token spec: a token without `expires_in` lives 60 seconds. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const registryErrorBodySchema = z.looseObject({
  errors: z.array(
    z.looseObject({
      code: z.string(),
      message: z.string().optional().default(''),
      detail: z.unknown().optional(),
    }),
  ),
});

const tokenResponseSchema = z
  .looseObject({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().positive().optional(),
  })
  .refine((body) => body.token !== undefined || body.access_token !== undefined, {
    message: 'token response has neither token nor access_token',
  });

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Reads at most `maxBytes` of a response body; more is TOO_LARGE. */
export async function readBounded(
  response: Response,
  maxBytes: number,
  details: Record<string, unknown>,
): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new OciError('TOO_LARGE', `response of ${declared} bytes exceeds the ${maxBytes}-byte limit`, {
      details: { ...details, limit: maxBytes, size: declared },
    });
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new OciError('TOO_LARGE', `response exceeds the ${maxBytes}-byte limit`, {
        details: { ...details, limit: maxBytes },
      });
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}

export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** Parses the Distribution error body; anything else yields no entries. */
export async function readRegistryErrors(response: Response): Promise<RegistryErrorEntry[]> {
  let text: string;
  try {
    text = (await readBounded(response, MAX_ERROR_BODY_BYTES, {})).toString('utf8');
  } catch {
    return [];
  }
  try {
    const parsed = registryErrorBodySchema.safeParse(JSON.parse(text));
    if (!parsed.success) return [];
    return parsed.data.errors.map((entry) =>
      entry.detail === undefined
        ? { code: entry.code, message: entry.message }
        : { code: entry.code, message: entry.message, detail: entry.detail },
    );
  } catch {
    return [];
  }
}

function isNetworkError(error: unknown): boolean {
  return !(error instanceof OciError);
}

/** `fetch failed` says nothing: the cause (ECONNREFUSED, timeout…) does. */
function networkErrorMessage(error: unknown): string {
  const outer = error as { message?: unknown; cause?: { message?: unknown; code?: unknown } } | undefined;
  const cause = outer?.cause;
  if (cause && typeof cause.message === 'string')
    return typeof cause.code === 'string' && !cause.message.includes(cause.code)
      ? `${cause.code} ${cause.message}`
      : cause.message;
  return typeof outer?.message === 'string' ? outer.message : String(error);
}

/** undici wraps socket errors in `TypeError('fetch failed', { cause })`; TLS verification codes sit on the cause. */
function tlsVerificationCode(error: unknown): string | undefined {
  // Duck-typed: errors from undici may come from another realm (test sandboxes), where instanceof Error fails.
  for (
    let current: unknown = error, depth = 0;
    typeof current === 'object' && current !== null && depth < 4;
    current = (current as { cause?: unknown }).cause, depth += 1
  ) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/.test(code)
    )
      return code;
  }
  return undefined;
}

/**
 * HTTP engine for one client: transport policy on every URL, anonymous / basic / bearer
 * token auth with a per-scope token cache, manual redirects, bounded retries on 5xx,
 * 429 and network errors. Registry-specific meaning of statuses is left to the caller.
 */
export class RegistryHttp {
  private readonly tokens = new Map<string, CachedToken>();
  /** Hosts that answered with a bearer challenge: later scopes get a token without a 401 round trip first. */
  private readonly bearerChallenges = new Map<string, AuthChallenge>();
  private readonly basicHosts = new Set<string>();

  constructor(private readonly options: RegistryHttpOptions) {}

  private credentialFor(registry: string): RegistryCredential | undefined {
    return this.options.credentials[registry] ?? this.options.credentials[registryEndpoint(registry)];
  }

  private absoluteUrl(registry: string, url: string): string {
    return url.startsWith('/') ? `${this.options.policy.baseUrl(registryEndpoint(registry))}${url}` : url;
  }

  /** Resolves a registry-relative `Location` or `Link` target against the registry API base. */
  resolveUrl(registry: string, location: string, base?: string): string {
    return new URL(location, base ?? this.absoluteUrl(registry, '/v2/')).toString();
  }

  async call(call: RegistryCall): Promise<Response> {
    const url = this.absoluteUrl(call.registry, call.url);
    const scope = `repository:${call.repository}:${call.actions}`;
    let authorization = await this.knownAuthorization(call.registry, scope);
    let response = await this.send(call.method, url, this.headers(call.headers, authorization), call.body);
    if (response.status === 401) {
      const challengeHeader = response.headers.get('www-authenticate') ?? '';
      const firstErrors = await readRegistryErrors(response);
      authorization = await this.authorize(call.registry, scope, challengeHeader, authorization, firstErrors);
      response = await this.send(call.method, url, this.headers(call.headers, authorization), call.body);
    }
    if (response.status === 401) {
      throw new OciError('UNAUTHORIZED', `registry ${call.registry} refused the credentials for ${scope}`, {
        status: 401,
        registryErrors: await readRegistryErrors(response),
        details: { registry: call.registry, repository: call.repository, scope },
      });
    }
    if (response.status === 403) {
      throw new OciError('DENIED', `registry ${call.registry} denied ${scope}`, {
        status: 403,
        registryErrors: await readRegistryErrors(response),
        details: { registry: call.registry, repository: call.repository, scope },
      });
    }
    return response;
  }

  private headers(
    extra: Record<string, string> | undefined,
    authorization: string | undefined,
  ): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...extra };
    if (authorization !== undefined) headers.authorization = authorization;
    return headers;
  }

  private basicAuthorization(credential: { username: string; password: string }): string {
    return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
  }

  /** Authorization that can be sent up front: a static token, known basic auth, or a cached / obtainable bearer token. */
  private async knownAuthorization(registry: string, scope: string): Promise<string | undefined> {
    const credential = this.credentialFor(registry);
    if (credential && 'token' in credential) return `Bearer ${credential.token}`;
    if (credential && this.basicHosts.has(registry)) return this.basicAuthorization(credential);
    const cached = this.tokens.get(`${registry}\n${scope}`);
    if (cached && cached.expiresAt > this.options.clock.now()) return `Bearer ${cached.token}`;
    const challenge = this.bearerChallenges.get(registry);
    if (challenge) return `Bearer ${await this.fetchToken(registry, challenge, scope)}`;
    return undefined;
  }

  private async authorize(
    registry: string,
    scope: string,
    header: string,
    sent: string | undefined,
    registryErrors: RegistryErrorEntry[],
  ): Promise<string> {
    const challenges = parseAuthChallenges(header);
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params.realm);
    const basic = challenges.find((challenge) => challenge.scheme === 'basic');
    const credential = this.credentialFor(registry);
    const refused = (message: string): OciError<'UNAUTHORIZED'> =>
      new OciError('UNAUTHORIZED', message, { status: 401, registryErrors, details: { registry, scope } });

    if (credential && 'token' in credential)
      throw refused(`registry ${registry} refused the configured bearer token`);
    if (bearer) {
      if (sent?.startsWith('Bearer ')) this.tokens.delete(`${registry}\n${scope}`);
      this.bearerChallenges.set(registry, bearer);
      return `Bearer ${await this.fetchToken(registry, bearer, scope)}`;
    }
    if (basic) {
      if (!credential) throw refused(`registry ${registry} requires credentials`);
      if (sent?.startsWith('Basic ')) throw refused(`registry ${registry} refused the basic credentials`);
      this.basicHosts.add(registry);
      return this.basicAuthorization(credential);
    }
    throw refused(`registry ${registry} answered 401 without a usable challenge`);
  }

  /** Docker token protocol: GET realm?service=…&scope=…, with basic credentials when configured. */
  private async fetchToken(registry: string, challenge: AuthChallenge, scope: string): Promise<string> {
    const key = `${registry}\n${scope}`;
    const cached = this.tokens.get(key);
    const now = this.options.clock.now();
    if (cached && cached.expiresAt > now) return cached.token;

    const realm = this.options.policy.assertAllowed(challenge.params.realm ?? '');
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.append('scope', scope);
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: 'application/json',
    };
    const credential = this.credentialFor(registry);
    if (credential && 'username' in credential) {
      headers.authorization = this.basicAuthorization(credential);
      realm.searchParams.set('account', credential.username);
    }

    const response = await this.send('GET', realm.toString(), headers, undefined);
    const details = { registry, scope, realm: `${realm.origin}${realm.pathname}` };
    if (response.status === 401 || response.status === 403) {
      throw new OciError(
        'UNAUTHORIZED',
        `token service for ${registry} refused ${credential ? 'the credentials' : 'anonymous access'}`,
        {
          status: response.status,
          registryErrors: await readRegistryErrors(response),
          details,
        },
      );
    }
    if (response.status !== 200) {
      throw new OciError('PROTOCOL_ERROR', `token service for ${registry} answered ${response.status}`, {
        status: response.status,
        registryErrors: await readRegistryErrors(response),
        details,
      });
    }
    let body: z.infer<typeof tokenResponseSchema>;
    try {
      body = tokenResponseSchema.parse(
        JSON.parse((await readBounded(response, MAX_TOKEN_BODY_BYTES, details)).toString('utf8')),
      );
    } catch (error) {
      if (error instanceof OciError) throw error;
      throw new OciError(
        'PROTOCOL_ERROR',
        `token service for ${registry} returned an invalid token response`,
        { cause: error, details },
      );
    }
    const token = (body.token ?? body.access_token) as string;
    const lifetimeMs = (body.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
    // Renew a little early so a token does not expire between the cache check and the request.
    this.tokens.set(key, { token, expiresAt: now + lifetimeMs * 0.9 });
    return token;
  }

  /** One logical request: redirects followed under the transport policy, retried on 5xx / 429 / network errors. */
  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
  ): Promise<Response> {
    const { retries, retryBaseDelayMs } = this.options;
    let lastFailure: { error?: unknown; status?: number; registryErrors?: RegistryErrorEntry[] } = {};
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) await this.options.sleep(retryBaseDelayMs * 2 ** (attempt - 1));
      let response: Response;
      try {
        response = await this.followRedirects(method, url, headers, body);
      } catch (error) {
        if (!isNetworkError(error)) throw error;
        const tlsCode = tlsVerificationCode(error);
        if (tlsCode !== undefined) {
          // An untrusted certificate will not become trusted by retrying.
          const target = new URL(url);
          throw new OciError(
            'INSECURE_TRANSPORT_REFUSED',
            `TLS certificate of ${target.host} not trusted (${tlsCode}); configure its CA with the ca option`,
            {
              cause: error,
              details: { host: target.host, tlsError: tlsCode },
            },
          );
        }
        lastFailure = { error };
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        lastFailure = { status: response.status, registryErrors: await readRegistryErrors(response) };
        continue;
      }
      return response;
    }
    const target = new URL(url);
    throw new OciError(
      'REGISTRY_UNAVAILABLE',
      lastFailure.status === undefined
        ? `cannot reach ${target.host}: ${networkErrorMessage(lastFailure.error)}`
        : `${target.host} answered ${lastFailure.status} after ${retries + 1} attempts`,
      {
        status: lastFailure.status,
        registryErrors: lastFailure.registryErrors,
        cause: lastFailure.error,
        details: { host: target.host, method, path: target.pathname, attempts: retries + 1 },
      },
    );
  }

  private async followRedirects(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
  ): Promise<Response> {
    let currentUrl = this.options.policy.assertAllowed(url);
    let currentMethod = method;
    let currentHeaders = headers;
    let currentBody = body;
    for (let hop = 0; ; hop += 1) {
      const init: HttpRequest = { method: currentMethod, headers: currentHeaders, redirect: 'manual' };
      if (currentBody !== undefined) init.body = currentBody;
      const response = await this.options.fetch(currentUrl.toString(), init);
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      await discardBody(response);
      if (hop >= MAX_REDIRECTS) {
        throw new OciError(
          'PROTOCOL_ERROR',
          `more than ${MAX_REDIRECTS} redirects from ${new URL(url).host}`,
          { details: { url } },
        );
      }
      const next = this.options.policy.assertAllowed(new URL(location, currentUrl).toString());
      if (next.origin !== currentUrl.origin) {
        // Blob storage behind a redirect must never see the registry credentials.
        const { authorization: _dropped, ...rest } = currentHeaders;
        currentHeaders = rest;
      }
      if (response.status === 303) {
        currentMethod = currentMethod === 'HEAD' ? 'HEAD' : 'GET';
        currentBody = undefined;
      }
      currentUrl = next;
    }
  }
}

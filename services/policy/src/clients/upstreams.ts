import type { TokenProvider } from '../common/ports';

/** Why an upstream answer is missing: the service is not configured, did not answer, or failed. */
export class UpstreamError extends Error {
  constructor(
    readonly service: 'scanner' | 'concelier' | 'excititor' | 'attestor',
    readonly code: 'NOT_CONFIGURED' | 'UNREACHABLE' | 'FAILED' | 'REFUSED',
    message: string,
    readonly status?: number,
  ) {
    super(`${service}: ${message}`);
    this.name = 'UpstreamError';
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

export interface UpstreamUrls {
  scanner?: string | undefined;
  concelier?: string | undefined;
  excititor?: string | undefined;
  attestor?: string | undefined;
}

type Service = UpstreamError['service'];

/**
 * JSON over HTTP to the other services, with the policy service's own token. Every failure is an
 * UpstreamError naming the service: callers turn it into an explicit "unavailable" in the policy
 * input (fail closed), never into an empty answer.
 */
export class HttpUpstream {
  constructor(
    private readonly urls: UpstreamUrls,
    private readonly tokens: TokenProvider,
    private readonly timeoutMs: number,
  ) {}

  configured(service: Service): boolean {
    return this.urls[service] !== undefined;
  }

  /** GET or POST; 404 gives null (the resource does not exist), anything else not 2xx throws. */
  async json<T>(
    service: Service,
    path: string,
    init: { method?: 'GET' | 'POST'; body?: unknown } = {},
  ): Promise<T | null> {
    const base = this.urls[service];
    if (base === undefined) throw new UpstreamError(service, 'NOT_CONFIGURED', 'no URL configured');
    const url = `${base.replace(/\/+$/, '')}${path}`;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.tokens.authorizationHeader().catch((error: unknown) => {
        throw new UpstreamError(service, 'REFUSED', `no service token: ${(error as Error).message}`);
      });
      let response: Response;
      try {
        response = await fetch(url, {
          method: init.method ?? 'GET',
          headers: {
            accept: 'application/json',
            ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(authorization ? { authorization } : {}),
          },
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        throw new UpstreamError(service, 'UNREACHABLE', `${url} did not answer (${(error as Error).message})`);
      }
      if (response.status === 401 && attempt === 0 && this.tokens.invalidate) {
        await response.body?.cancel();
        this.tokens.invalidate();
        continue;
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw new UpstreamError(
          service,
          response.status === 401 || response.status === 403 ? 'REFUSED' : 'FAILED',
          `${init.method ?? 'GET'} ${path} answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`,
          response.status,
        );
      }
      return (await response.json()) as T;
    }
  }
}

import { z } from 'zod';
import { AuthError } from '../errors';
import type { Clock } from '../principal';
import { ImportedKeySet, type VerificationKey, type VerificationKeyResolver } from './verification-key';

export interface RemoteJwksResolverOptions {
  jwksUrl: string;
  clock: Clock;
  /** Minimum time between two fetches triggered by unknown kids; bounds the load a flood of forged kids can cause. */
  cooldownMs: number;
  /** After this age the set is refetched before use, so removed keys do not linger for ever. */
  cacheMaxAgeMs: number;
  timeoutMs: number;
  fetchFn: typeof fetch;
  /** Called when a reload removed or changed a key that was known before. */
  onKeysRevoked: () => void;
}

const jwksDocumentSchema = z.object({ keys: z.array(z.unknown()) });

/**
 * JWKS fetched over HTTP and cached. An unknown kid triggers at most one refetch per cooldown
 * (rotation: the authority published a new key); a kid still unknown after that is refused.
 */
export class RemoteJwksResolver implements VerificationKeyResolver {
  private readonly keys = new ImportedKeySet();
  private fetchedAt: number | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: RemoteJwksResolverOptions) {}

  async resolve(kid: string): Promise<VerificationKey | undefined> {
    const now = this.options.clock.now();
    if (this.fetchedAt === undefined || now - this.fetchedAt >= this.options.cacheMaxAgeMs) {
      try {
        await this.reload();
      } catch (error) {
        // A stale set still verifies tokens signed by keys it holds; refuse only when we have none.
        if (this.fetchedAt === undefined) throw error;
      }
    }
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.options.clock.now() - this.lastAttemptAt < this.options.cooldownMs) return undefined;
    await this.reload();
    return this.keys.get(kid);
  }

  isKnown(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** Single-flight: concurrent callers share one HTTP request. */
  reload(): Promise<void> {
    this.inFlight ??= this.fetchOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchOnce(): Promise<void> {
    this.lastAttemptAt = this.options.clock.now();
    let body: unknown;
    try {
      const response = await this.options.fetchFn(this.options.jwksUrl, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!response.ok) throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new AuthError('KEYS_UNAVAILABLE', `cannot fetch JWKS from ${this.options.jwksUrl}`, {
        cause: error,
      });
    }
    const document = jwksDocumentSchema.safeParse(body);
    if (!document.success) {
      throw new AuthError('KEYS_UNAVAILABLE', `JWKS from ${this.options.jwksUrl} is not a JWK set`, {
        cause: document.error,
      });
    }
    const revoked = this.keys.replace(document.data.keys);
    this.fetchedAt = this.options.clock.now();
    if (revoked) this.options.onKeysRevoked();
  }
}

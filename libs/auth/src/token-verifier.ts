import { errors as joseErrors, jwtVerify, type JWTHeaderParameters } from 'jose';
import { z } from 'zod';
import { AuthError } from './errors';
import { LocalKeyResolver, type LocalKeySource } from './keys/local-key-resolver';
import { RemoteJwksResolver } from './keys/remote-jwks-resolver';
import {
  ALLOWED_ALGORITHMS,
  isAllowedAlgorithm,
  type VerificationKeyResolver,
} from './keys/verification-key';
import { systemClock, type Clock, type Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

export interface TokenVerifier {
  /** Verifies an access token (the bare JWT, without "Bearer "); rejects with an AuthError. */
  verify(token: string | undefined): Promise<Principal>;
}

/** Access-token media type of RFC 9068; both spellings are allowed by RFC 8725 §3.11. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/** Far above any real access token; bounds parsing cost and cache memory for garbage input. */
const MAX_TOKEN_LENGTH = 8192;

const accessTokenClaimsSchema = z.object({
  sub: z.string().min(1),
  tenant: z.string().min(1),
  scope: z.string(),
  client_id: z.string().min(1),
  jti: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().int().optional(),
  roles: z.array(z.string()).optional(),
});

const commonOptionsSchema = z.object({
  issuer: z.string().min(1),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Allowed clock skew for exp/nbf/iat, in seconds. */
  clockToleranceSec: z.number().int().min(0).max(300).default(30),
  /** Entries of the verified-token LRU; 0 disables it. */
  verifiedTokenCacheSize: z.number().int().min(0).default(10_000),
});

const jwksOptionsSchema = commonOptionsSchema.extend({
  jwksUrl: z.url(),
  cacheMaxAgeMs: z.number().int().positive().default(600_000),
  cooldownMs: z.number().int().min(0).default(10_000),
  timeoutMs: z.number().int().positive().default(5_000),
});

export type JwksTokenVerifierOptions = z.input<typeof jwksOptionsSchema> & {
  clock?: Clock;
  /** Injected for tests; defaults to the global fetch. */
  fetchFn?: typeof fetch;
};

const localOptionsSchema = commonOptionsSchema;

export type LocalTokenVerifierOptions = z.input<typeof localOptionsSchema> & {
  /** Current public JWKs (e.g. the authority's published keys); called on cache misses only. */
  getKeys: LocalKeySource;
  clock?: Clock;
};

interface VerifierSettings {
  issuer: string;
  audience: string | string[];
  clockToleranceSec: number;
  clock: Clock;
  cache: VerifiedTokenCache;
  resolver: VerificationKeyResolver;
}

function parseOptions<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`invalid token verifier options: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Verifies tokens against the authority's JWKS endpoint (every service except the authority). */
export function createJwksTokenVerifier(options: JwksTokenVerifierOptions): TokenVerifier {
  const settings = parseOptions(jwksOptionsSchema, options);
  const clock = options.clock ?? systemClock;
  const cache = new VerifiedTokenCache(settings.verifiedTokenCacheSize);
  const resolver = new RemoteJwksResolver({
    jwksUrl: settings.jwksUrl,
    clock,
    cooldownMs: settings.cooldownMs,
    cacheMaxAgeMs: settings.cacheMaxAgeMs,
    timeoutMs: settings.timeoutMs,
    fetchFn: options.fetchFn ?? fetch,
    onKeysRevoked: () => cache.clear(),
  });
  return new JwtAccessTokenVerifier({ ...settings, clock, cache, resolver });
}

/** Verifies tokens against keys held in-process (the authority verifying its own tokens). */
export function createLocalTokenVerifier(options: LocalTokenVerifierOptions): TokenVerifier {
  const settings = parseOptions(localOptionsSchema, options);
  if (typeof options.getKeys !== 'function') throw new TypeError('invalid token verifier options: getKeys');
  const clock = options.clock ?? systemClock;
  const cache = new VerifiedTokenCache(settings.verifiedTokenCacheSize);
  const resolver = new LocalKeyResolver(options.getKeys, () => cache.clear());
  return new JwtAccessTokenVerifier({ ...settings, clock, cache, resolver });
}

class JwtAccessTokenVerifier implements TokenVerifier {
  private readonly toleranceMs: number;

  constructor(private readonly settings: VerifierSettings) {
    this.toleranceMs = settings.clockToleranceSec * 1000;
  }

  async verify(token: string | undefined): Promise<Principal> {
    if (token === undefined || token.length === 0) throw new AuthError('TOKEN_MISSING', 'no access token');
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('TOKEN_MALFORMED', 'access token too long');

    const cached = this.settings.cache.get(token);
    if (cached) {
      if (cached.expiresAtMs <= this.settings.clock.now() - this.toleranceMs) {
        this.settings.cache.delete(token);
        throw new AuthError('TOKEN_EXPIRED', 'access token expired');
      }
      const known = this.settings.resolver.isKnown(cached.kid);
      if (known === true || (known !== false && (await known))) return cached.principal;
      this.settings.cache.delete(token);
    }

    let kid = '';
    const getKey = async (header: JWTHeaderParameters) => {
      if (!isAllowedAlgorithm(header.alg)) {
        throw new AuthError('ALG_NOT_ALLOWED', `algorithm ${String(header.alg)} is not accepted`);
      }
      if (typeof header.typ !== 'string' || !ACCESS_TOKEN_TYPES.has(header.typ.toLowerCase())) {
        throw new AuthError('TOKEN_MALFORMED', 'token is not an access token (typ must be at+jwt)');
      }
      if (typeof header.kid !== 'string' || header.kid.length === 0) {
        throw new AuthError('TOKEN_MALFORMED', 'token header has no kid');
      }
      const key = await this.settings.resolver.resolve(header.kid);
      if (!key) throw new AuthError('UNKNOWN_KID', `no verification key with kid ${header.kid}`);
      // A key is bound to one algorithm; a header naming another is an algorithm-confusion attempt.
      if (key.alg !== header.alg) {
        throw new AuthError('ALG_NOT_ALLOWED', `key ${key.kid} is not an ${header.alg} key`);
      }
      kid = key.kid;
      return key.key;
    };

    let payload: unknown;
    try {
      const result = await jwtVerify(token, getKey, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockToleranceSec,
        currentDate: new Date(this.settings.clock.now()),
        requiredClaims: ['exp', 'iat'],
      });
      payload = result.payload;
    } catch (error) {
      throw toAuthError(error);
    }

    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AuthError(
        'TOKEN_MALFORMED',
        `access token claims invalid: ${z.prettifyError(claims.error)}`,
        {
          cause: claims.error,
        },
      );
    }
    const c = claims.data;
    if (c.iat * 1000 > this.settings.clock.now() + this.toleranceMs) {
      throw new AuthError('TOKEN_NOT_YET_VALID', 'access token issued in the future');
    }
    const principal: Principal = Object.freeze({
      subject: c.sub,
      tenant: c.tenant,
      scopes: new Set(c.scope.split(' ').filter((s) => s.length > 0)),
      clientId: c.client_id,
      tokenId: c.jti,
      expiresAt: new Date(c.exp * 1000),
      // RFC 9068 §2.2: without a resource owner the subject is the client itself.
      kind: c.sub === c.client_id ? 'client' : 'user',
      ...(c.roles === undefined ? {} : { roles: Object.freeze([...c.roles]) }),
    });
    this.settings.cache.set(token, principal, kid);
    return principal;
  }
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof joseErrors.JWTExpired) {
    return new AuthError('TOKEN_EXPIRED', 'access token expired', { cause: error });
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return new AuthError('TOKEN_NOT_YET_VALID', 'access token not valid yet', { cause: error });
      case 'aud':
        return new AuthError('WRONG_AUDIENCE', 'access token is for another audience', { cause: error });
      case 'iss':
        return new AuthError('WRONG_ISSUER', 'access token from another issuer', { cause: error });
      default:
        return new AuthError('TOKEN_MALFORMED', `access token claim ${error.claim}: ${error.message}`, {
          cause: error,
        });
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new AuthError('BAD_SIGNATURE', 'access token signature invalid', { cause: error });
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return new AuthError('ALG_NOT_ALLOWED', 'access token algorithm not accepted', { cause: error });
  }
  return new AuthError('TOKEN_MALFORMED', 'access token malformed', { cause: error });
}

/**
 * The verifier every service uses in production: the authority's JWKS at
 * `<STELLA_AUTHORITY_URL>/.well-known/jwks.json`, that URL as the expected issuer, and the
 * service's `STELLA_TOKEN_AUDIENCE`. Fails at start, naming the service, when no authority is set.
 */
export function createAuthorityTokenVerifier(
  service: string,
  config: { authorityUrl?: string | undefined; tokenAudience: string },
): TokenVerifier {
  if (!config.authorityUrl) {
    throw new Error(
      `STELLA_AUTHORITY_URL is required: ${service} verifies access tokens against the authority's JWKS`,
    );
  }
  const issuer = config.authorityUrl.replace(/\/+$/, '');
  return createJwksTokenVerifier({
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    issuer,
    audience: config.tokenAudience,
  });
}

import { AuthError } from '../errors';
import { createJwksTokenVerifier, type TokenVerifier } from '../token-verifier';
import {
  AUDIENCE,
  FakeClock,
  generateTestKey,
  ISSUER,
  signAccessToken,
  type TestSigningKey,
} from '../token.fixture';

const JWKS_URL = 'https://authority.test/.well-known/jwks.json';

/** A JWKS endpoint in memory: counts fetches and can fail on demand. */
class FakeJwksEndpoint {
  keys: Record<string, unknown>[] = [];
  fetches = 0;
  failing = false;

  readonly fetchFn = (async (url: string | URL | Request) => {
    this.fetches += 1;
    expect(String(url)).toBe(JWKS_URL);
    if (this.failing) throw new TypeError('fetch failed: ECONNREFUSED');
    // Yield so that concurrent callers overlap, as they would on a real network.
    await new Promise((resolve) => setImmediate(resolve));
    return new Response(JSON.stringify({ keys: this.keys }), {
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
}

describe('JWKS token verifier', () => {
  let endpoint: FakeJwksEndpoint;
  let clock: FakeClock;
  let key1: TestSigningKey;
  let verifier: TokenVerifier;

  beforeEach(() => {
    endpoint = new FakeJwksEndpoint();
    clock = new FakeClock();
    key1 = generateTestKey('k1');
    endpoint.keys = [key1.publicJwk];
    verifier = createJwksTokenVerifier({
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
      audience: AUDIENCE,
      cooldownMs: 10_000,
      cacheMaxAgeMs: 600_000,
      clock,
      fetchFn: endpoint.fetchFn,
    });
  });

  it('fetches the key set once and reuses it', async () => {
    await verifier.verify(await signAccessToken({ key: key1, claims: { jti: 'a' } }));
    await verifier.verify(await signAccessToken({ key: key1, claims: { jti: 'b' } }));
    expect(endpoint.fetches).toBe(1);
  });

  it('shares one fetch between concurrent first verifications', async () => {
    const tokens = await Promise.all(
      ['a', 'b', 'c', 'd'].map((jti) => signAccessToken({ key: key1, claims: { jti } })),
    );
    await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(endpoint.fetches).toBe(1);
  });

  it('picks up a rotated-in key by refetching on an unknown kid', async () => {
    await verifier.verify(await signAccessToken({ key: key1 }));
    clock.advance(10_000);
    const key2 = generateTestKey('k2');
    endpoint.keys = [key2.publicJwk, key1.publicJwk];
    await expect(verifier.verify(await signAccessToken({ key: key2 }))).resolves.toMatchObject({
      tenant: 'acme',
    });
    expect(endpoint.fetches).toBe(2);
  });

  it('refetches at most once per cooldown for unknown kids, then refuses', async () => {
    await verifier.verify(await signAccessToken({ key: key1 }));
    const forged = generateTestKey('forged');
    clock.advance(10_000);
    expect(await codeOf(verifier.verify(await signAccessToken({ key: forged, claims: { jti: '1' } })))).toBe(
      'UNKNOWN_KID',
    );
    expect(await codeOf(verifier.verify(await signAccessToken({ key: forged, claims: { jti: '2' } })))).toBe(
      'UNKNOWN_KID',
    );
    expect(await codeOf(verifier.verify(await signAccessToken({ key: forged, claims: { jti: '3' } })))).toBe(
      'UNKNOWN_KID',
    );
    expect(endpoint.fetches).toBe(2);
    clock.advance(10_000);
    expect(await codeOf(verifier.verify(await signAccessToken({ key: forged, claims: { jti: '4' } })))).toBe(
      'UNKNOWN_KID',
    );
    expect(endpoint.fetches).toBe(3);
  });

  it('refetches a stale set and forgets keys (and cached tokens) that were withdrawn', async () => {
    const token = await signAccessToken({ key: key1, claims: { exp: Math.floor(clock.ms / 1000) + 1200 } });
    await verifier.verify(token);
    const key2 = generateTestKey('k2');
    endpoint.keys = [key2.publicJwk];
    clock.advance(600_000);
    await verifier.verify(
      await signAccessToken({ key: key2, claims: { exp: Math.floor(clock.ms / 1000) + 600 } }),
    );
    expect(endpoint.fetches).toBe(2);
    // Still unexpired, but its key is gone: it must not be served from the verified-token cache.
    expect(await codeOf(verifier.verify(token))).toBe('UNKNOWN_KID');
  });

  it('answers KEYS_UNAVAILABLE when the key set cannot be fetched at all', async () => {
    endpoint.failing = true;
    expect(await codeOf(verifier.verify(await signAccessToken({ key: key1 })))).toBe('KEYS_UNAVAILABLE');
  });

  it('keeps verifying with a stale set while the authority is unreachable', async () => {
    await verifier.verify(await signAccessToken({ key: key1, claims: { jti: 'a' } }));
    endpoint.failing = true;
    clock.advance(600_000);
    const later = await signAccessToken({
      key: key1,
      claims: { jti: 'b', iat: Math.floor(clock.ms / 1000), exp: Math.floor(clock.ms / 1000) + 600 },
    });
    await expect(verifier.verify(later)).resolves.toMatchObject({ tokenId: 'b' });
  });

  it('answers KEYS_UNAVAILABLE for a document that is not a JWK set', async () => {
    const broken = createJwksTokenVerifier({
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
      fetchFn: (async () => new Response('{"nope":1}')) as typeof fetch,
    });
    expect(await codeOf(broken.verify(await signAccessToken({ key: key1 })))).toBe('KEYS_UNAVAILABLE');
  });

  it('ignores JWKS entries it cannot use instead of failing the whole set', async () => {
    endpoint.keys = [
      { kty: 'RSA', kid: 'rsa', n: 'AQAB', e: 'AQAB' },
      { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' },
      key1.publicJwk,
    ];
    await expect(verifier.verify(await signAccessToken({ key: key1 }))).resolves.toBeDefined();
  });
});

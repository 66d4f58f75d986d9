import { createHmac } from 'node:crypto';
import { AuthError, type AuthErrorCode } from './errors';
import { createLocalTokenVerifier, type TokenVerifier } from './token-verifier';
import {
  AUDIENCE,
  base64url,
  FakeClock,
  generateTestKey,
  ISSUER,
  NOW_SEC,
  signAccessToken,
  type TestSigningKey,
} from './token.fixture';

async function refusal(promise: Promise<unknown>): Promise<AuthErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

describe('local token verifier', () => {
  let edKey: TestSigningKey;
  let ecKey: TestSigningKey;
  let clock: FakeClock;
  let published: Record<string, unknown>[];
  let verifier: TokenVerifier;

  beforeEach(() => {
    edKey = generateTestKey('ed-1', 'EdDSA');
    ecKey = generateTestKey('ec-1', 'ES256');
    clock = new FakeClock();
    published = [edKey.publicJwk, ecKey.publicJwk];
    verifier = createLocalTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSec: 30,
      getKeys: () => published,
      clock,
    });
  });

  it('accepts an EdDSA client token and returns a typed principal', async () => {
    const principal = await verifier.verify(await signAccessToken({ key: edKey }));
    expect(principal.subject).toBe('ci-pipeline');
    expect(principal.clientId).toBe('ci-pipeline');
    expect(principal.kind).toBe('client');
    expect(principal.tenant).toBe('acme');
    expect([...principal.scopes].sort()).toEqual(['release:read', 'release:write']);
    expect(principal.tokenId).toBe('tok-1');
    expect(principal.expiresAt.getTime()).toBe((NOW_SEC + 600) * 1000);
    expect(principal.roles).toBeUndefined();
    expect(Object.isFrozen(principal)).toBe(true);
  });

  it('accepts an ES256 user token with roles', async () => {
    const token = await signAccessToken({
      key: ecKey,
      claims: { sub: 'user-42', client_id: 'stella-cli', roles: ['release-manager'], scope: 'release:read' },
    });
    const principal = await verifier.verify(token);
    expect(principal.kind).toBe('user');
    expect(principal.subject).toBe('user-42');
    expect(principal.roles).toEqual(['release-manager']);
  });

  it('accepts the application/at+jwt spelling of typ', async () => {
    const token = await signAccessToken({ key: edKey, header: { typ: 'application/at+jwt' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenant: 'acme' });
  });

  it('refuses a missing token', async () => {
    expect(await refusal(verifier.verify(undefined))).toBe('TOKEN_MISSING');
    expect(await refusal(verifier.verify(''))).toBe('TOKEN_MISSING');
  });

  it('refuses garbage and oversized tokens as malformed', async () => {
    expect(await refusal(verifier.verify('not-a-jwt'))).toBe('TOKEN_MALFORMED');
    expect(await refusal(verifier.verify('a.b.c'))).toBe('TOKEN_MALFORMED');
    expect(await refusal(verifier.verify('x'.repeat(9000)))).toBe('TOKEN_MALFORMED');
  });

  it('refuses alg none', async () => {
    const header = base64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: edKey.kid }));
    const valid = await signAccessToken({ key: edKey });
    const payload = valid.split('.')[1];
    expect(await refusal(verifier.verify(`${header}.${payload}.`))).toBe('ALG_NOT_ALLOWED');
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const valid = await signAccessToken({ key: edKey });
    const payload = valid.split('.')[1];
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: edKey.kid }));
    const secrets = [
      JSON.stringify(edKey.publicJwk),
      edKey.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      Buffer.from(String(edKey.publicJwk.x), 'base64url'),
    ];
    for (const secret of secrets) {
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      expect(await refusal(verifier.verify(`${header}.${payload}.${signature}`))).toBe('ALG_NOT_ALLOWED');
    }
  });

  it('refuses an ES256 header pointing at an Ed25519 key', async () => {
    const forged = await signAccessToken({ key: { ...ecKey, kid: edKey.kid } });
    expect(await refusal(verifier.verify(forged))).toBe('ALG_NOT_ALLOWED');
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const impostor = generateTestKey(edKey.kid, 'EdDSA');
    expect(await refusal(verifier.verify(await signAccessToken({ key: impostor })))).toBe('BAD_SIGNATURE');
  });

  it('refuses a tampered payload', async () => {
    const valid = await signAccessToken({ key: edKey });
    const [header, , signature] = valid.split('.');
    const payload = base64url(
      JSON.stringify({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'x',
        client_id: 'x',
        tenant: 'other',
        scope: 'all',
        jti: 'j',
        iat: NOW_SEC,
        exp: NOW_SEC + 600,
      }),
    );
    expect(await refusal(verifier.verify(`${header}.${payload}.${signature}`))).toBe('BAD_SIGNATURE');
  });

  it('refuses an unknown kid', async () => {
    const stranger = generateTestKey('never-published');
    expect(await refusal(verifier.verify(await signAccessToken({ key: stranger })))).toBe('UNKNOWN_KID');
  });

  it('refuses an expired token, but tolerates small skew', async () => {
    const expired = await signAccessToken({
      key: edKey,
      claims: { iat: NOW_SEC - 700, nbf: NOW_SEC - 700, exp: NOW_SEC - 31 },
    });
    expect(await refusal(verifier.verify(expired))).toBe('TOKEN_EXPIRED');
    const justExpired = await signAccessToken({ key: edKey, claims: { exp: NOW_SEC - 20 } });
    await expect(verifier.verify(justExpired)).resolves.toBeDefined();
  });

  it('refuses a token that is not valid yet (nbf or iat in the future)', async () => {
    const early = await signAccessToken({ key: edKey, claims: { nbf: NOW_SEC + 120 } });
    expect(await refusal(verifier.verify(early))).toBe('TOKEN_NOT_YET_VALID');
    const future = await signAccessToken({ key: edKey, claims: { iat: NOW_SEC + 120 }, omit: ['nbf'] });
    expect(await refusal(verifier.verify(future))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('refuses the wrong audience and the wrong issuer', async () => {
    const otherAud = await signAccessToken({ key: edKey, claims: { aud: 'someone-else' } });
    expect(await refusal(verifier.verify(otherAud))).toBe('WRONG_AUDIENCE');
    const otherIss = await signAccessToken({ key: edKey, claims: { iss: 'https://evil.test' } });
    expect(await refusal(verifier.verify(otherIss))).toBe('WRONG_ISSUER');
  });

  it('refuses tokens that are not access tokens (typ)', async () => {
    const idToken = await signAccessToken({ key: edKey, header: { typ: 'JWT' } });
    expect(await refusal(verifier.verify(idToken))).toBe('TOKEN_MALFORMED');
  });

  it.each(['tenant', 'scope', 'client_id', 'sub', 'jti', 'exp', 'iat'])(
    'refuses a token without %s',
    async (claim) => {
      const token = await signAccessToken({ key: edKey, omit: [claim] });
      expect(await refusal(verifier.verify(token))).toBe('TOKEN_MALFORMED');
    },
  );

  it('serves repeat verifications from the cache and still enforces expiry', async () => {
    const token = await signAccessToken({ key: edKey, claims: { exp: NOW_SEC + 60 } });
    const first = await verifier.verify(token);
    // The same frozen object comes back: the signature was not verified a second time.
    expect(await verifier.verify(token)).toBe(first);
    clock.advance(91_000);
    expect(await refusal(verifier.verify(token))).toBe('TOKEN_EXPIRED');
  });

  it('stops serving cached tokens as soon as their key is withdrawn', async () => {
    const token = await signAccessToken({ key: edKey });
    await verifier.verify(token);
    published = [ecKey.publicJwk];
    expect(await refusal(verifier.verify(token))).toBe('UNKNOWN_KID');
  });

  it('rejects invalid options', () => {
    expect(() => createLocalTokenVerifier({ issuer: '', audience: AUDIENCE, getKeys: () => [] })).toThrow(
      TypeError,
    );
  });
});

import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  adminClaims,
  api,
  clientToken,
  signWithActiveKey,
  startAuthority,
  type AuthorityHarness,
} from './authority-harness';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every way an access token is refused by the authority's own API (libs/auth AuthGuard). */
describe('access-token refusals on the admin API', () => {
  let h: AuthorityHarness;
  let path: string;

  beforeAll(async () => {
    h = await startAuthority();
    path = `/api/v1/tenants/${h.credentials.tenant}/clients`;
  });

  afterAll(async () => {
    await h?.close();
  });

  async function expectRefused(token: string | undefined, status: number, code: string) {
    const res = await api(h.url, 'GET', path, token);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    return res;
  }

  it('accepts a valid token (the baseline the refusals differ from)', async () => {
    const { token } = await signWithActiveKey(h, adminClaims(h));
    const res = await api(h.url, 'GET', path, token);
    expect(res.status).toBe(200);
    expect((res.body.items as Array<{ clientId: string }>).map((c) => c.clientId)).toContain('stella-admin');
  });

  it('refuses a request without a token with a bare Bearer challenge', async () => {
    const res = await expectRefused(undefined, 401, 'TOKEN_MISSING');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="stella"');
  });

  it('refuses alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(adminClaims(h))}.`;
    const res = await expectRefused(token, 401, 'ALG_NOT_ALLOWED');
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses HS256 signed with the published public key', async () => {
    const jwks = (await api(h.url, 'GET', '/.well-known/jwks.json', undefined)).body.keys as Array<
      Record<string, string>
    >;
    const jwk = jwks[0]!;
    const signingInput = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid })}.${b64(adminClaims(h))}`;
    for (const secret of [JSON.stringify(jwk), Buffer.from(jwk.x!, 'base64url')]) {
      const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
      await expectRefused(`${signingInput}.${signature}`, 401, 'ALG_NOT_ALLOWED');
    }
  });

  it('refuses a token signed by a key the authority never published', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const token = await new SignJWT(adminClaims(h))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'ed25519-forged', typ: 'at+jwt' })
      .sign(privateKey);
    await expectRefused(token, 401, 'UNKNOWN_KID');
  });

  it('refuses a token whose signature does not match its kid', async () => {
    const { kid } = await signWithActiveKey(h, adminClaims(h));
    const { privateKey } = generateKeyPairSync('ed25519');
    const token = await new SignJWT(adminClaims(h))
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .sign(privateKey);
    await expectRefused(token, 401, 'BAD_SIGNATURE');
  });

  it('refuses expired and not-yet-valid tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithActiveKey(
      h,
      adminClaims(h, { iat: now - 1000, nbf: now - 1000, exp: now - 300 }),
    );
    await expectRefused(expired.token, 401, 'TOKEN_EXPIRED');
    const early = await signWithActiveKey(h, adminClaims(h, { nbf: now + 600, exp: now + 1200 }));
    await expectRefused(early.token, 401, 'TOKEN_NOT_YET_VALID');
  });

  it('refuses the wrong audience, the wrong issuer and a non-access-token typ', async () => {
    await expectRefused(
      (await signWithActiveKey(h, adminClaims(h, { aud: 'another-system' }))).token,
      401,
      'WRONG_AUDIENCE',
    );
    await expectRefused(
      (await signWithActiveKey(h, adminClaims(h, { iss: 'https://evil.example' }))).token,
      401,
      'WRONG_ISSUER',
    );
    await expectRefused(
      (await signWithActiveKey(h, adminClaims(h), { typ: 'JWT' })).token,
      401,
      'TOKEN_MALFORMED',
    );
  });

  it('refuses a token of another tenant (403)', async () => {
    const admin = await clientToken(
      h.url,
      h.credentials.adminClient.clientId,
      h.credentials.adminClient.clientSecret,
    );
    const created = await api(h.url, 'POST', '/api/v1/tenants', admin, { id: 'globex', name: 'Globex' });
    expect(created.status).toBe(201);
    const adminClient = created.body.adminClient as { client: { clientId: string }; clientSecret: string };
    const globexToken = await clientToken(h.url, adminClient.client.clientId, adminClient.clientSecret);
    const res = await expectRefused(globexToken, 403, 'WRONG_TENANT');
    expect(res.body.type).toBe('urn:stella:problem:wrong-tenant');
    const own = await api(h.url, 'GET', '/api/v1/tenants/globex/clients', globexToken);
    expect(own.status).toBe(200);
    expect((own.body.items as unknown[]).length).toBe(1);
  });

  it('refuses a token without the required scope (403 insufficient_scope)', async () => {
    const { clientId, clientSecret } = h.credentials.adminClient;
    const token = await clientToken(h.url, clientId, clientSecret, 'release:read');
    const res = await expectRefused(token, 403, 'INSUFFICIENT_SCOPE');
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const readOnly = await clientToken(h.url, clientId, clientSecret, 'authority:read');
    expect((await api(h.url, 'GET', path, readOnly)).status).toBe(200);
    expect(
      (await api(h.url, 'POST', path, readOnly, { name: 'x', allowedScopes: ['release:read'] })).status,
    ).toBe(403);
  });
});

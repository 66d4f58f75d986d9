import { createJwksTokenVerifier, ServiceTokenClient } from '@stella/auth';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  api,
  basicAuth,
  clientToken,
  postForm,
  startAuthority,
  TEST_ISSUER,
  waitForAuthorityEvent,
  type AuthorityHarness,
} from './authority-harness';

describe('POST /oauth/token', () => {
  let h: AuthorityHarness;
  let adminId: string;
  let adminSecret: string;

  beforeAll(async () => {
    h = await startAuthority();
    adminId = h.credentials.adminClient.clientId;
    adminSecret = h.credentials.adminClient.clientSecret;
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('client_credentials', () => {
    it('issues an RFC 9068 access token to a client authenticated with HTTP Basic', async () => {
      const res = await postForm(
        h.url,
        { grant_type: 'client_credentials', scope: 'release:read authority:read' },
        basicAuth(adminId, adminSecret),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 600,
        scope: 'authority:read release:read',
      });
      const token = String(res.body.access_token);
      const header = decodeProtectedHeader(token);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
      expect(typeof header.kid).toBe('string');
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({
        iss: TEST_ISSUER,
        aud: 'stella',
        sub: adminId,
        client_id: adminId,
        tenant: 'default',
        scope: 'authority:read release:read',
      });
      expect(claims.exp! - claims.iat!).toBe(600);
      expect(claims.nbf).toBe(claims.iat);
      expect(typeof claims.jti).toBe('string');
    });

    it('accepts client credentials in a form body and in a JSON body', async () => {
      const form = await postForm(h.url, {
        grant_type: 'client_credentials',
        client_id: adminId,
        client_secret: adminSecret,
      });
      expect(form.status).toBe(200);
      const json = await fetch(`${h.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: adminId,
          client_secret: adminSecret,
          scope: 'vex:read',
        }),
      });
      expect(json.status).toBe(200);
      expect(((await json.json()) as { scope: string }).scope).toBe('vex:read');
    });

    it('grants every allowed scope when none is requested', async () => {
      const res = await postForm(
        h.url,
        { grant_type: 'client_credentials' },
        basicAuth(adminId, adminSecret),
      );
      expect(String(res.body.scope).split(' ').sort()).toEqual([...h.credentials.adminClient.scopes].sort());
    });

    it('answers 401 invalid_client with the same body for an unknown client and a wrong secret', async () => {
      const unknown = await postForm(
        h.url,
        { grant_type: 'client_credentials' },
        basicAuth('no-such-client', adminSecret),
      );
      const wrong = await postForm(
        h.url,
        { grant_type: 'client_credentials' },
        basicAuth(adminId, `${adminSecret}x`),
      );
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      expect(wrong.body).toEqual(unknown.body);
      expect(unknown.headers.get('www-authenticate')).toMatch(/^Basic realm="stella"/);
      const noAuth = await postForm(h.url, { grant_type: 'client_credentials' });
      expect(noAuth.status).toBe(401);
      expect(noAuth.body.error).toBe('invalid_client');
    });

    it('refuses scopes the client is not allowed (invalid_scope) and unknown audiences (invalid_target)', async () => {
      const scope = await postForm(
        h.url,
        { grant_type: 'client_credentials', scope: 'release:read nuclear:launch' },
        basicAuth(adminId, adminSecret),
      );
      expect(scope.status).toBe(400);
      expect(scope.body.error).toBe('invalid_scope');
      const audience = await postForm(
        h.url,
        { grant_type: 'client_credentials', audience: 'elsewhere' },
        basicAuth(adminId, adminSecret),
      );
      expect(audience.status).toBe(400);
      expect(audience.body.error).toBe('invalid_target');
    });

    it('refuses two client authentication methods at once', async () => {
      const res = await postForm(
        h.url,
        { grant_type: 'client_credentials', client_secret: adminSecret },
        basicAuth(adminId, adminSecret),
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });

  it('works with the libs/auth ServiceTokenClient and JWKS verifier end to end', async () => {
    const client = new ServiceTokenClient({
      tokenUrl: `${h.url}/oauth/token`,
      clientId: adminId,
      clientSecret: adminSecret,
      scopes: ['release:read', 'scan:write'],
      audience: 'stella',
    });
    const token = await client.getToken();
    expect(await client.getToken()).toBe(token);
    const verifier = createJwksTokenVerifier({
      jwksUrl: `${h.url}/.well-known/jwks.json`,
      issuer: TEST_ISSUER,
      audience: 'stella',
    });
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({ clientId: adminId, tenant: 'default', kind: 'client' });
    expect([...principal.scopes].sort()).toEqual(['release:read', 'scan:write']);
    const refused = new ServiceTokenClient({
      tokenUrl: `${h.url}/oauth/token`,
      clientId: adminId,
      clientSecret: 'wrong',
      scopes: ['release:read'],
    });
    await expect(refused.getToken()).rejects.toMatchObject({
      code: 'TOKEN_REQUEST_REJECTED',
      status: 401,
      oauthError: 'invalid_client',
    });
  });

  describe('request validation', () => {
    it('answers unsupported_grant_type and invalid_request as OAuth errors', async () => {
      const unsupported = await postForm(
        h.url,
        { grant_type: 'authorization_code', code: 'x' },
        basicAuth(adminId, adminSecret),
      );
      expect(unsupported.status).toBe(400);
      expect(unsupported.body.error).toBe('unsupported_grant_type');
      const missing = await postForm(h.url, { scope: 'release:read' });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('invalid_request');
      const duplicated = await fetch(`${h.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=a&username=b&password=x',
      });
      expect(duplicated.status).toBe(400);
      expect(((await duplicated.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('answers a malformed JSON body with 400 problem+json', async () => {
      const res = await fetch(`${h.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"grant_type": "client_credentials",',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { type: string }).type).toBe('urn:stella:problem:malformed-body');
    });

    it('answers an oversized body with 413 problem+json', async () => {
      const res = await fetch(`${h.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&scope=${'a'.repeat(h.config.bodyLimitBytes + 10)}`,
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  describe('password', () => {
    it('signs in the bootstrap administrator with roles and role-derived scopes', async () => {
      const { username, password, id } = h.credentials.adminUser;
      const res = await postForm(h.url, {
        grant_type: 'password',
        username,
        password,
        scope: 'release:read authority:tenants',
      });
      expect(res.status).toBe(200);
      const claims = decodeJwt(String(res.body.access_token));
      expect(claims).toMatchObject({
        sub: id,
        client_id: 'stella-cli',
        tenant: 'default',
        roles: ['platform-admin'],
        scope: 'authority:tenants release:read',
      });
      const me = await api(h.url, 'GET', '/api/v1/whoami', String(res.body.access_token));
      expect(me.body).toMatchObject({
        subject: id,
        kind: 'user',
        roles: ['platform-admin'],
        clientId: 'stella-cli',
      });
    });

    it('answers the same invalid_grant for an unknown user and a wrong password', async () => {
      const unknown = await postForm(h.url, {
        grant_type: 'password',
        username: 'nobody',
        password: 'whatever-password',
      });
      const wrong = await postForm(h.url, {
        grant_type: 'password',
        username: 'admin',
        password: 'not-the-password',
      });
      const otherTenant = await postForm(h.url, {
        grant_type: 'password',
        username: 'admin',
        password: h.credentials.adminUser.password,
        tenant: 'no-such-tenant',
      });
      for (const res of [unknown, wrong, otherTenant]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          error: 'invalid_grant',
          error_description: 'invalid username or password',
        });
      }
    });

    it('refuses the password grant for confidential clients and unknown public clients', async () => {
      const { username, password } = h.credentials.adminUser;
      const confidential = await postForm(
        h.url,
        { grant_type: 'password', username, password },
        basicAuth(adminId, adminSecret),
      );
      expect(confidential.status).toBe(400);
      expect(confidential.body.error).toBe('unauthorized_client');
      const unknownPublic = await postForm(h.url, {
        grant_type: 'password',
        username,
        password,
        client_id: 'rogue-app',
      });
      expect(unknownPublic.status).toBe(400);
      expect(unknownPublic.body.error).toBe('unauthorized_client');
    });
  });

  it('records failed sign-ins as login.failed events in JetStream', async () => {
    await postForm(h.url, { grant_type: 'client_credentials' }, basicAuth('ghost-client', 'nope'));
    const event = await waitForAuthorityEvent(
      h,
      (e) =>
        e.type === 'stella.authority.login.failed' &&
        (e.data as { principal: { id?: string } }).principal.id === 'ghost-client',
    );
    expect(event).toMatchObject({
      source: '/stella/authority',
      tenant: 'default',
      data: {
        tenantId: 'default',
        reason: 'unknown_principal',
        principal: { type: 'client', id: 'ghost-client' },
        remoteAddress: '127.0.0.1',
      },
    });
    const token = await clientToken(h.url, adminId, adminSecret);
    expect(token.split('.')).toHaveLength(3);
  });
});

describe('failed-attempt rate limits', () => {
  let h: AuthorityHarness;

  beforeAll(async () => {
    h = await startAuthority({
      authorityMaxFailuresPerPrincipal: 3,
      authorityMaxFailuresPerIp: 6,
      authorityFailureWindowSec: 600,
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('answers 429 with Retry-After once a client used up its failures, even with the right secret', async () => {
    const { clientId, clientSecret } = h.credentials.adminClient;
    for (let i = 0; i < 3; i += 1) {
      const res = await postForm(h.url, { grant_type: 'client_credentials' }, basicAuth(clientId, 'wrong'));
      expect(res.status).toBe(401);
    }
    const blocked = await postForm(
      h.url,
      { grant_type: 'client_credentials' },
      basicAuth(clientId, clientSecret),
    );
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('temporarily_unavailable');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    await waitForAuthorityEvent(
      h,
      (e) =>
        e.type === 'stella.authority.login.failed' && (e.data as { reason: string }).reason === 'locked_out',
    );
  });

  it('limits a source address across principals', async () => {
    // 3 failures above, 3 more here on other ids: the address (limit 6) is now blocked for everyone.
    for (const id of ['a-client', 'b-client', 'c-client']) {
      const res = await postForm(h.url, { grant_type: 'client_credentials' }, basicAuth(id, 'wrong'));
      expect(res.status).toBe(401);
    }
    const res = await postForm(h.url, {
      grant_type: 'password',
      username: 'admin',
      password: h.credentials.adminUser.password,
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).not.toBeNull();
  });
});

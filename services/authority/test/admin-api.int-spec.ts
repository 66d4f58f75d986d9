import { decodeJwt } from 'jose';
import {
  api,
  basicAuth,
  clientToken,
  postForm,
  readAuthorityEvents,
  startAuthority,
  waitForAuthorityEvent,
  type AuthorityHarness,
} from './authority-harness';

interface ClientWithSecret {
  client: { clientId: string; allowedScopes: string[]; disabled: boolean; secretVersion: number };
  clientSecret: string;
}

describe('admin API', () => {
  let h: AuthorityHarness;
  let admin: string;
  const base = '/api/v1/tenants/default';

  beforeAll(async () => {
    h = await startAuthority();
    admin = await clientToken(
      h.url,
      h.credentials.adminClient.clientId,
      h.credentials.adminClient.clientSecret,
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('clients', () => {
    let ci: ClientWithSecret;

    beforeAll(async () => {
      const res = await api(h.url, 'POST', `${base}/clients`, admin, {
        name: 'ci-pipeline',
        allowedScopes: ['release:read', 'release:write'],
      });
      expect(res.status).toBe(201);
      ci = res.body as unknown as ClientWithSecret;
    });

    it('creates a client whose secret is shown once and works', async () => {
      expect(ci.clientSecret).toMatch(/^stcs_[A-Za-z0-9_-]{43}$/);
      expect(ci.client).toMatchObject({
        allowedScopes: ['release:read', 'release:write'],
        disabled: false,
        secretVersion: 1,
      });
      const fetched = await api(h.url, 'GET', `${base}/clients/${ci.client.clientId}`, admin);
      expect(fetched.status).toBe(200);
      expect(JSON.stringify(fetched.body)).not.toContain(ci.clientSecret);
      const token = await clientToken(h.url, ci.client.clientId, ci.clientSecret, 'release:write');
      expect(decodeJwt(token)).toMatchObject({ tenant: 'default', scope: 'release:write' });
    });

    it('disabling a client makes its next token request fail at once; enabling restores it', async () => {
      const disabled = await api(h.url, 'POST', `${base}/clients/${ci.client.clientId}/disable`, admin, {
        reason: 'leaked',
      });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ disabled: true, disabledReason: 'leaked' });
      const refused = await postForm(
        h.url,
        { grant_type: 'client_credentials' },
        basicAuth(ci.client.clientId, ci.clientSecret),
      );
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      await waitForAuthorityEvent(
        h,
        (e) =>
          e.type === 'stella.authority.client.disabled' &&
          (e.data as { reason?: string }).reason === 'leaked',
      );
      expect((await api(h.url, 'POST', `${base}/clients/${ci.client.clientId}/enable`, admin)).status).toBe(
        200,
      );
      await clientToken(h.url, ci.client.clientId, ci.clientSecret);
    });

    it('rotating the secret invalidates the old one immediately', async () => {
      const rotated = await api(h.url, 'POST', `${base}/clients/${ci.client.clientId}/rotate-secret`, admin);
      expect(rotated.status).toBe(200);
      const next = rotated.body as unknown as ClientWithSecret;
      expect(next.client.secretVersion).toBe(2);
      expect(next.clientSecret).not.toBe(ci.clientSecret);
      const old = await postForm(
        h.url,
        { grant_type: 'client_credentials' },
        basicAuth(ci.client.clientId, ci.clientSecret),
      );
      expect(old.status).toBe(401);
      await clientToken(h.url, ci.client.clientId, next.clientSecret);
    });

    it('updates allowed scopes and refuses scopes that are not grantable', async () => {
      const updated = await api(h.url, 'PATCH', `${base}/clients/${ci.client.clientId}`, admin, {
        allowedScopes: ['release:read'],
      });
      expect(updated.status).toBe(200);
      expect(updated.body.allowedScopes).toEqual(['release:read']);
      const unknown = await api(h.url, 'POST', `${base}/clients`, admin, {
        name: 'bad',
        allowedScopes: ['made:up'],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ type: 'urn:stella:problem:unknown-scopes', scopes: ['made:up'] });
    });

    it('answers invalid bodies with 400 problem+json naming the fields', async () => {
      const res = await api(h.url, 'POST', `${base}/clients`, admin, {
        name: '',
        allowedScopes: 'release:read',
        extra: 1,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['name', 'allowedScopes']));
    });

    it('answers 409 for a duplicate name and 404 for an unknown client', async () => {
      const dup = await api(h.url, 'POST', `${base}/clients`, admin, {
        name: 'ci-pipeline',
        allowedScopes: ['release:read'],
      });
      expect(dup.status).toBe(409);
      expect((await api(h.url, 'GET', `${base}/clients/cli_nope`, admin)).status).toBe(404);
    });

    it('lists the clients of the tenant (authority:read is enough)', async () => {
      const reader = await clientToken(
        h.url,
        h.credentials.adminClient.clientId,
        h.credentials.adminClient.clientSecret,
        'authority:read',
      );
      const res = await api(h.url, 'GET', `${base}/clients`, reader);
      expect(res.status).toBe(200);
      expect((res.body.items as Array<{ clientId: string }>).map((c) => c.clientId).sort()).toEqual(
        [ci.client.clientId, 'stella-admin'].sort(),
      );
    });
  });

  describe('users and roles', () => {
    let userId: string;
    const password = 'correct horse battery staple';

    it('creates a user whose roles decide the scopes of their tokens', async () => {
      const created = await api(h.url, 'POST', `${base}/users`, admin, {
        username: 'ada',
        password,
        roles: ['viewer'],
      });
      expect(created.status).toBe(201);
      userId = String(created.body.id);
      const login = await postForm(h.url, { grant_type: 'password', username: 'ada', password });
      expect(login.status).toBe(200);
      const scopes = String(login.body.scope).split(' ');
      expect(scopes).toContain('release:read');
      expect(scopes).not.toContain('release:write');
      const tooMuch = await postForm(h.url, {
        grant_type: 'password',
        username: 'ada',
        password,
        scope: 'release:write',
      });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.error).toBe('invalid_scope');
    });

    it('granting a role widens the scopes and emits role.assigned', async () => {
      const granted = await api(h.url, 'PUT', `${base}/users/${userId}/roles/release-manager`, admin);
      expect(granted.status).toBe(200);
      expect(granted.body.roles).toEqual(['release-manager', 'viewer']);
      const login = await postForm(h.url, {
        grant_type: 'password',
        username: 'ada',
        password,
        scope: 'release:write',
      });
      expect(login.status).toBe(200);
      await waitForAuthorityEvent(
        h,
        (e) =>
          e.type === 'stella.authority.role.assigned' &&
          (e.data as { role: string }).role === 'release-manager',
      );
      expect((await api(h.url, 'PUT', `${base}/users/${userId}/roles/platform-admin`, admin)).status).toBe(
        200,
      );
    });

    it('refuses unknown roles, and platform-admin outside the bootstrap tenant', async () => {
      expect((await api(h.url, 'PUT', `${base}/users/${userId}/roles/overlord`, admin)).status).toBe(400);
      const created = await api(h.url, 'POST', '/api/v1/tenants', admin, { id: 'initech', name: 'Initech' });
      const tenantAdmin = created.body.adminClient as unknown as ClientWithSecret;
      const token = await clientToken(h.url, tenantAdmin.client.clientId, tenantAdmin.clientSecret);
      const res = await api(h.url, 'POST', '/api/v1/tenants/initech/users', token, {
        username: 'peter',
        password,
        roles: ['platform-admin'],
      });
      expect(res.status).toBe(400);
      expect(tenantAdmin.client.allowedScopes).not.toContain('authority:tenants');
    });

    it('a disabled user cannot sign in; a new password replaces the old one', async () => {
      expect((await api(h.url, 'POST', `${base}/users/${userId}/disable`, admin)).status).toBe(200);
      const refused = await postForm(h.url, { grant_type: 'password', username: 'ada', password });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_grant');
      expect((await api(h.url, 'POST', `${base}/users/${userId}/enable`, admin)).status).toBe(200);
      const newPassword = 'another long passphrase';
      expect(
        (await api(h.url, 'PUT', `${base}/users/${userId}/password`, admin, { password: newPassword }))
          .status,
      ).toBe(200);
      expect((await postForm(h.url, { grant_type: 'password', username: 'ada', password })).status).toBe(400);
      expect(
        (await postForm(h.url, { grant_type: 'password', username: 'ada', password: newPassword })).status,
      ).toBe(200);
      const short = await api(h.url, 'PUT', `${base}/users/${userId}/password`, admin, { password: 'short' });
      expect(short.status).toBe(400);
    });
  });

  it('writes every change as an event through the outbox to JetStream', async () => {
    const expected = [
      'stella.authority.tenant.created',
      'stella.authority.client.created',
      'stella.authority.client.updated',
      'stella.authority.client.disabled',
      'stella.authority.client.secret_rotated',
      'stella.authority.user.created',
      'stella.authority.user.updated',
      'stella.authority.user.disabled',
      'stella.authority.role.assigned',
      'stella.authority.signing_key.rotated',
    ];
    await waitForAuthorityEvent(h, (e) => e.type === 'stella.authority.user.updated');
    const events = await readAuthorityEvents(h);
    const types = new Set(events.map(({ event }) => String(event.type)));
    for (const type of expected) expect(types).toContain(type);
    for (const { subject, event } of events) {
      expect(subject).toBe(`${h.nats.prefix}${String(event.type).slice('stella'.length)}`);
      expect(event).toMatchObject({ specversion: '1.0', source: '/stella/authority' });
      expect(JSON.stringify(event)).not.toMatch(/stcs_|correct horse/);
    }
  });
});

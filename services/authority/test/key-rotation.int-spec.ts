import { AuthError, createJwksTokenVerifier, type TokenVerifier } from '@stella/auth';
import { decodeProtectedHeader } from 'jose';
import { Client } from 'pg';
import { KeyMaintenance } from '../src/signing-keys/key-maintenance';
import {
  api,
  clientToken,
  startAuthority,
  TEST_ISSUER,
  waitForAuthorityEvent,
  type AuthorityHarness,
} from './authority-harness';

function jwksVerifier(h: AuthorityHarness): TokenVerifier {
  // Cooldown 0: a verifier in production waits its cooldown before refetching for a new kid.
  return createJwksTokenVerifier({
    jwksUrl: `${h.url}/.well-known/jwks.json`,
    issuer: TEST_ISSUER,
    audience: 'stella',
    cooldownMs: 0,
  });
}

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
}

describe('signing-key rotation', () => {
  let h: AuthorityHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthority();
    adminToken = await clientToken(
      h.url,
      h.credentials.adminClient.clientId,
      h.credentials.adminClient.clientSecret,
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  const kidOf = (token: string) => String(decodeProtectedHeader(token).kid);
  const publishedKids = async () =>
    ((await api(h.url, 'GET', '/.well-known/jwks.json', undefined)).body.keys as Array<{ kid: string }>).map(
      (k) => k.kid,
    );

  it('keeps tokens of the old key valid after rotation, until the old key retires', async () => {
    const { clientId, clientSecret } = h.credentials.adminClient;
    const oldToken = await clientToken(h.url, clientId, clientSecret, 'authority:read');
    const oldKid = kidOf(oldToken);
    const verifier = jwksVerifier(h);
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ clientId });

    const rotated = await api(h.url, 'POST', '/api/v1/signing-keys/rotate', adminToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousKid).toBe(oldKid);
    const newKid = String(rotated.body.kid);
    expect(newKid).not.toBe(oldKid);
    // Retirement waits for the last token of the old key: TTL + skew + key cache.
    const retireAfter = Date.parse(String(rotated.body.previousRetireAfter));
    expect(retireAfter - Date.now()).toBeGreaterThan((600 + 60) * 1000 - 60_000);

    const newToken = await clientToken(h.url, clientId, clientSecret, 'authority:read');
    expect(kidOf(newToken)).toBe(newKid);
    expect((await publishedKids()).sort()).toEqual([newKid, oldKid].sort());

    // Both verify: at the authority itself and at a JWKS verifier that saw only the old key so far.
    await expect(verifier.verify(newToken)).resolves.toMatchObject({ clientId });
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ clientId });
    expect((await api(h.url, 'GET', '/api/v1/whoami', oldToken)).status).toBe(200);
    expect((await api(h.url, 'GET', '/api/v1/whoami', newToken)).status).toBe(200);

    const listed = await api(h.url, 'GET', '/api/v1/signing-keys', adminToken);
    const states = Object.fromEntries(
      (listed.body.items as Array<{ kid: string; state: string }>).map((k) => [k.kid, k.state]),
    );
    expect(states).toEqual({ [newKid]: 'active', [oldKid]: 'retiring' });

    await waitForAuthorityEvent(
      h,
      (e) =>
        e.type === 'stella.authority.signing_key.rotated' &&
        (e.data as { keyId: string; previousKeyId?: string }).keyId === newKid &&
        (e.data as { previousKeyId?: string }).previousKeyId === oldKid,
    );

    // Pretend the retirement delay has passed, then run one maintenance pass.
    const pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
    try {
      await pg.query(
        `UPDATE "${h.schema.schema}".signing_keys SET retire_after = now() - interval '1 second' WHERE kid = $1`,
        [oldKid],
      );
      await h.svc.app.get(KeyMaintenance).runOnce();
      const { rows } = await pg.query(
        `SELECT state, private_key_sealed IS NULL AS wiped FROM "${h.schema.schema}".signing_keys WHERE kid = $1`,
        [oldKid],
      );
      expect(rows[0]).toEqual({ state: 'retired', wiped: true });
    } finally {
      await pg.end();
    }

    expect(await publishedKids()).toEqual([newKid]);
    expect(await refusalCode(jwksVerifier(h).verify(oldToken))).toBe('UNKNOWN_KID');
    const refused = await api(h.url, 'GET', '/api/v1/whoami', oldToken);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNKNOWN_KID');
    expect((await api(h.url, 'GET', '/api/v1/whoami', newToken)).status).toBe(200);
  });

  it('publishes discovery metadata that matches the keys', async () => {
    const metadata = (await api(h.url, 'GET', '/.well-known/openid-configuration', undefined)).body;
    expect(metadata).toMatchObject({
      issuer: TEST_ISSUER,
      token_endpoint: `${TEST_ISSUER}/oauth/token`,
      jwks_uri: `${TEST_ISSUER}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials', 'password'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['authority:admin', 'release:read']));
    const keys = (await api(h.url, 'GET', '/.well-known/jwks.json', undefined)).body.keys as Array<
      Record<string, unknown>
    >;
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('refuses rotation without the authority:keys scope', async () => {
    const { clientId, clientSecret } = h.credentials.adminClient;
    const token = await clientToken(h.url, clientId, clientSecret, 'authority:admin');
    const res = await api(h.url, 'POST', '/api/v1/signing-keys/rotate', token);
    expect(res.status).toBe(403);
  });
});

describe('replicas sharing one database', () => {
  let h: AuthorityHarness;

  beforeAll(async () => {
    h = await startAuthority({ authorityKeyCacheSec: 0, authoritySigningAlgorithm: 'ES256' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('agree on the active key: tokens of one verify at the other, rotation on one is used by both', async () => {
    const replica = await h.boot();
    const { clientId, clientSecret } = h.credentials.adminClient;
    const fromReplica = await clientToken(replica.url, clientId, clientSecret, 'authority:read');
    expect(decodeProtectedHeader(fromReplica).alg).toBe('ES256');
    expect((await api(h.url, 'GET', '/api/v1/whoami', fromReplica)).status).toBe(200);

    const admin = await clientToken(h.url, clientId, clientSecret, 'authority:keys');
    const rotated = await api(h.url, 'POST', '/api/v1/signing-keys/rotate', admin);
    const afterRotation = await clientToken(replica.url, clientId, clientSecret, 'authority:read');
    expect(decodeProtectedHeader(afterRotation).kid).toBe(rotated.body.kid);
    expect((await api(replica.url, 'GET', '/api/v1/whoami', fromReplica)).status).toBe(200);
    expect((await api(replica.url, 'GET', '/api/v1/whoami', afterRotation)).status).toBe(200);
  });
});

import { createLogger } from '@stella/observability';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { postForm, startAuthority, type AuthorityHarness } from './authority-harness';

/** Collects JSON log lines written by the service. */
function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line.length > 0),
      );
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'authority', level: 'info', destination }) };
}

describe('first-start bootstrap', () => {
  let h: AuthorityHarness;
  const capture = capturingLogger();

  beforeAll(async () => {
    // No KEK configured: the authority generates one into its data directory.
    h = await startAuthority({ authorityKek: undefined }, { logger: capture.logger });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('writes working administrator credentials to a 0600 file and logs only its path', async () => {
    const path = h.config.authorityBootstrapFile;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const credentials = h.credentials;
    expect(credentials).toMatchObject({
      tenant: 'default',
      adminUser: { username: 'admin', roles: ['platform-admin'] },
      adminClient: { clientId: 'stella-admin' },
      publicClientId: 'stella-cli',
    });
    const login = await postForm(h.url, {
      grant_type: 'password',
      username: 'admin',
      password: credentials.adminUser.password,
    });
    expect(login.status).toBe(200);

    const logs = capture.lines.join('\n');
    expect(logs).toContain(path);
    expect(logs).not.toContain(credentials.adminUser.password);
    expect(logs).not.toContain(credentials.adminClient.clientSecret);
  });

  it('generates the key-encryption key into the data directory (0600) when none is configured', () => {
    const kekPath = join(h.dataDir, 'authority-kek');
    expect(statSync(kekPath).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(kekPath, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(capture.lines.some((line) => line.includes(kekPath))).toBe(true);
  });

  it('does not bootstrap again on the next start, and reuses the generated KEK', async () => {
    const before = readFileSync(h.config.authorityBootstrapFile, 'utf8');
    const restarted = await h.boot();
    expect(readFileSync(h.config.authorityBootstrapFile, 'utf8')).toBe(before);
    const { clientId, clientSecret } = h.credentials.adminClient;
    const res = await fetch(`${restarted.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    expect(res.status).toBe(200);
    const pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
    try {
      const state = await pg.query(`SELECT count(*)::int AS n FROM "${h.schema.schema}".bootstrap_state`);
      const tenants = await pg.query(`SELECT count(*)::int AS n FROM "${h.schema.schema}".tenants`);
      const keys = await pg.query(`SELECT count(*)::int AS n FROM "${h.schema.schema}".signing_keys`);
      expect([state.rows[0].n, tenants.rows[0].n, keys.rows[0].n]).toEqual([1, 1, 1]);
      const sealed = await pg.query(`SELECT private_key_sealed FROM "${h.schema.schema}".signing_keys`);
      // Encrypted at rest: no PKCS#8 header in the stored bytes.
      expect(
        (sealed.rows[0].private_key_sealed as Buffer).includes(
          Buffer.from('302e020100300506032b6570', 'hex'),
        ),
      ).toBe(false);
    } finally {
      await pg.end();
    }
  });

  it('refuses to start with a KEK other than the one the keys were sealed with', async () => {
    await expect(h.boot({ authorityKek: Buffer.alloc(32, 7).toString('base64') })).rejects.toMatchObject({
      code: 'KEK_MISMATCH',
    });
  });
});

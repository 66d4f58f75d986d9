import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource, runMigrations } from '@stella/db';
import { SignJWT } from 'jose';
import { connect } from 'nats';
import { Client } from 'pg';
import type { Logger } from '@stella/observability';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';
import { AuthorityModule } from '../src/authority.module';
import type { BootstrapCredentials } from '../src/bootstrap/bootstrap.service';
import { authorityConfigSchema, type AuthorityConfig } from '../src/config/authority-config';
import { authorityMigrations } from '../src/migrations';
import { KeyEncryption, parseKek } from '../src/signing-keys/key-encryption';

export const TEST_ISSUER = 'http://authority.test';

export interface AuthorityHarness {
  svc: ServiceApp;
  url: string;
  config: AuthorityConfig;
  schema: TestSchema;
  nats: TestNatsPrefix;
  dataDir: string;
  credentials: BootstrapCredentials;
  /** Boots another app on the same schema (a second replica, or a restart). */
  boot(overrides?: Partial<AuthorityConfig>): Promise<ServiceApp>;
  close(): Promise<void>;
}

/** An authority on a random port, with its own Postgres schema, NATS prefix and data directory. */
export async function startAuthority(
  overrides: Record<string, unknown> = {},
  options: { logger?: Logger } = {},
): Promise<AuthorityHarness> {
  const schema = await createTestSchema('auth');
  const nats = createTestNatsPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'stella-authority-'));
  const config = authorityConfigSchema.parse({
    httpPort: 0,
    databaseUrl: schema.url,
    databaseSchema: schema.schema,
    databasePoolSize: 4,
    natsUrl: nats.servers,
    natsPrefix: nats.prefix,
    authorityIssuer: TEST_ISSUER,
    authorityKek: randomBytes(32).toString('base64'),
    authorityDataDir: dataDir,
    authorityBootstrapFile: join(dataDir, 'bootstrap.json'),
    ...overrides,
  });
  // An explicit `authorityKek: undefined` override means "none configured" (generated into the data dir).
  if ('authorityKek' in overrides && overrides.authorityKek === undefined) delete config.authorityKek;
  const migrationSource = createDataSource({
    url: schema.url,
    schema: schema.schema,
    migrations: authorityMigrations,
    applicationName: 'stella-authority-test-migrate',
  });
  await runMigrations(migrationSource);
  await migrationSource.destroy();

  const apps: ServiceApp[] = [];
  const boot = async (extra: Partial<AuthorityConfig> = {}) => {
    const app = await bootTestApp({
      service: 'authority',
      module: AuthorityModule,
      config: { ...config, ...extra },
      ...(options.logger ? { logger: options.logger } : {}),
    });
    apps.push(app);
    return app;
  };
  const svc = await boot();
  const credentials = JSON.parse(readFileSync(config.authorityBootstrapFile, 'utf8')) as BootstrapCredentials;
  return {
    svc,
    url: svc.url,
    config,
    schema,
    nats,
    dataDir,
    credentials,
    boot,
    async close() {
      for (const app of apps.reverse()) await app.close();
      await nats.cleanup();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

export function basicAuth(clientId: string, secret: string): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
  };
}

export async function clientToken(
  url: string,
  clientId: string,
  secret: string,
  scope?: string,
): Promise<string> {
  const res = await postForm(
    url,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    basicAuth(clientId, secret),
  );
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.access_token);
}

export async function api(
  url: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Signs arbitrary claims with the authority's active key (read from Postgres, unsealed with the test KEK). */
export async function signWithActiveKey(
  h: AuthorityHarness,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<{ token: string; kid: string }> {
  const pg = new Client({ connectionString: h.schema.url });
  await pg.connect();
  try {
    const { rows } = await pg.query<{
      kid: string;
      algorithm: 'EdDSA' | 'ES256';
      private_key_sealed: Buffer;
      kek_id: string;
    }>(
      `SELECT kid, algorithm, private_key_sealed, kek_id FROM "${h.schema.schema}".signing_keys WHERE state = 'active'`,
    );
    const row = rows[0];
    if (!row) throw new Error('no active key');
    const encryption = new KeyEncryption(parseKek(String(h.config.authorityKek)));
    const pkcs8 = encryption.unseal(row.kid, row.private_key_sealed, row.kek_id);
    const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: row.algorithm, kid: row.kid, typ: 'at+jwt', ...header })
      .sign(key);
    return { token, kid: row.kid };
  } finally {
    await pg.end();
  }
}

/** Claims of a valid admin client token of the bootstrap tenant; override to craft refusals. */
export function adminClaims(
  h: AuthorityHarness,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    aud: 'stella',
    sub: h.credentials.adminClient.clientId,
    client_id: h.credentials.adminClient.clientId,
    tenant: h.credentials.tenant,
    scope: 'authority:admin authority:read',
    jti: randomBytes(8).toString('hex'),
    iat: now,
    nbf: now,
    exp: now + 300,
    ...overrides,
  };
}

/** Every event in the authority's JetStream stream, read with an ordered consumer. */
export async function readAuthorityEvents(
  h: AuthorityHarness,
): Promise<Array<{ subject: string; event: Record<string, unknown> }>> {
  const nc = await connect({ servers: h.nats.servers });
  try {
    const stream = `${h.nats.streamPrefix}_AUTHORITY`;
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    const total = info.state.messages;
    const events: Array<{ subject: string; event: Record<string, unknown> }> = [];
    if (total === 0) return events;
    const consumer = await nc.jetstream().consumers.get(stream);
    const batch = await consumer.fetch({ max_messages: total, expires: 2000 });
    for await (const message of batch) {
      events.push({ subject: message.subject, event: message.json<Record<string, unknown>>() });
      if (events.length >= total) break;
    }
    return events;
  } finally {
    await nc.close();
  }
}

/** Waits (bounded) until the relay has published an event matching the predicate. */
export async function waitForAuthorityEvent(
  h: AuthorityHarness,
  matches: (event: Record<string, unknown>) => boolean,
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readAuthorityEvents(h)).find(({ event }) => matches(event));
    if (found) return found.event;
    if (Date.now() > deadline) throw new Error('expected event was not published to JetStream in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

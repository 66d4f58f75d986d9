import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource, runMigrations } from '@stella/db';
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
export async function startAuthority(overrides: Record<string, unknown> = {}): Promise<AuthorityHarness> {
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

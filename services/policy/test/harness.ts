import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { TokenVerifier } from '@stella/auth';
import type { BaseServiceConfig } from '@stella/config';
import { connectBus, defineStream, ensureStreams, type Bus } from '@stella/bus';
import { createDataSource, runMigrations } from '@stella/db';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  createTestTokenIssuer,
  startTestRegistry,
  startTestS3,
  type TestNatsPrefix,
  type TestRegistry,
  type TestS3,
  type TestSchema,
  type TestTokenIssuer,
} from '@stella/testing';
import { policyConfigSchema, type PolicyConfig } from '../src/config/policy-config';
import { policyMigrations } from '../src/migrations';
import { createPolicyModule } from '../src/policy.module';

/** The repository root (services/policy/test -> ../../..). */
const ROOT = join(__dirname, '..', '..', '..');

/**
 * The real scanner, concelier and excititor, booted in-process from their built dist/ (their
 * entry points export the module, config schema and migrations for tests). Loaded by path, not
 * imported: the policy service's code never depends on another service; only this test boots them.
 */
function serviceDist<T>(name: string): T {
  return require(join(ROOT, 'services', name, 'dist', 'index.js')) as T;
}

type Migrations = Parameters<typeof createDataSource>[0]['migrations'];
interface ServiceEntry {
  schema: { parse(value: unknown): BaseServiceConfig };
  migrations: Migrations;
  module(verifier: TokenVerifier): Type<unknown>;
}

function entryOf(name: 'scanner' | 'concelier' | 'excititor'): ServiceEntry {
  if (name === 'scanner') {
    const m = serviceDist<Record<string, never>>('scanner') as unknown as {
      scannerConfigSchema: ServiceEntry['schema'];
      scannerMigrations: Migrations;
      createScannerModule(o: { verifier: TokenVerifier }): Type<unknown>;
    };
    return { schema: m.scannerConfigSchema, migrations: m.scannerMigrations, module: (verifier) => m.createScannerModule({ verifier }) };
  }
  if (name === 'concelier') {
    const m = serviceDist<Record<string, never>>('concelier') as unknown as {
      concelierConfigSchema: ServiceEntry['schema'];
      concelierMigrations: Migrations;
      concelierRootModule(o: { verifier: TokenVerifier }): Type<unknown>;
    };
    return { schema: m.concelierConfigSchema, migrations: m.concelierMigrations, module: (verifier) => m.concelierRootModule({ verifier }) };
  }
  const m = serviceDist<Record<string, never>>('excititor') as unknown as {
    excititorConfigSchema: ServiceEntry['schema'];
    excititorMigrations: Migrations;
    excititorRootModule(o: { verifier: TokenVerifier }): Type<unknown>;
  };
  return { schema: m.excititorConfigSchema, migrations: m.excititorMigrations, module: (verifier) => m.excititorRootModule({ verifier }) };
}

export async function migrate(schema: TestSchema, migrations: Migrations): Promise<void> {
  const dataSource = createDataSource({ url: schema.url, schema: schema.schema, migrations, applicationName: 'stella-policy-test-migrate' });
  try {
    await runMigrations(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

/** The orchestrator's stream, provisioned by the test (it plays the orchestrator's part: its events). */
export const ORCHESTRATOR_STREAM = defineStream({ name: 'ORCHESTRATOR', subjects: ['orchestrator.>'], maxAgeDays: 1 });

export interface Fleet {
  tokens: TestTokenIssuer;
  nats: TestNatsPrefix;
  bus: Bus;
  registry: TestRegistry;
  s3: TestS3;
  scanner: ServiceApp;
  concelier: ServiceApp;
  excititor: ServiceApp;
  policy: ServiceApp;
  policyConfig: PolicyConfig;
  policySchema: TestSchema;
  /** Boots another policy service instance on the same schema (consumers off), e.g. with a dead upstream. */
  extraPolicy(overrides: Partial<PolicyConfig>): Promise<ServiceApp>;
  close(): Promise<void>;
}

export const POLICY_UPSTREAM_SCOPES = 'scan:read advisory:read vex:read attest:read';

export async function startFleet(): Promise<Fleet> {
  const tokens = createTestTokenIssuer({ scope: '' });
  const nats = createTestNatsPrefix();
  const [registry, s3] = await Promise.all([startTestRegistry(), startTestS3()]);
  const schemas = {
    scanner: await createTestSchema('pol_scanner'),
    concelier: await createTestSchema('pol_concelier'),
    excititor: await createTestSchema('pol_excititor'),
    policy: await createTestSchema('policy'),
  };
  const cacheDir = mkdtempSync(join(tmpdir(), 'stella-policy-scanner-'));
  const importRoot = mkdtempSync(join(tmpdir(), 'stella-policy-advisories-'));
  const base = (schema: TestSchema) => ({
    httpPort: 0,
    databaseUrl: schema.url,
    databaseSchema: schema.schema,
    databasePoolSize: 4,
    natsUrl: nats.servers,
    natsPrefix: nats.prefix,
  });
  const apps: ServiceApp[] = [];
  const boot = async (name: 'scanner' | 'concelier' | 'excititor', extra: Record<string, unknown>) => {
    const entry = entryOf(name);
    await migrate(schemas[name], entry.migrations);
    const app = await bootTestApp({ service: name, module: entry.module(tokens.verifier), config: entry.schema.parse({ ...base(schemas[name]), ...extra }) });
    apps.push(app);
    return app;
  };
  const scanner = await boot('scanner', {
    scannerCacheDir: cacheDir,
    scannerS3Endpoint: s3.endpoint,
    scannerS3Region: s3.region,
    scannerS3Bucket: 'policy-test-sboms',
    scannerS3AccessKey: s3.accessKey,
    scannerS3SecretKey: s3.secretKey,
    scannerGrpcPort: 0,
    scannerMaxAttempts: 2,
    scannerRetryBackoffMs: [200],
  });
  const concelier = await boot('concelier', { concelierImportRoot: importRoot });
  const excititor = await boot('excititor', { excititorIssuers: [{ id: 'shop-security', trust: 90, authors: ['Shop Security'] }] });
  await migrate(schemas.policy, policyMigrations);
  const upstreamTokens = { authorizationHeader: async () => `Bearer ${await tokens.mint({ scope: POLICY_UPSTREAM_SCOPES, clientId: 'stella-policy' })}` };
  const policyConfig = policyConfigSchema.parse({
    ...base(schemas.policy),
    policyScannerUrl: scanner.url,
    policyConcelierUrl: concelier.url,
    policyExcititorUrl: excititor.url,
    policyUpstreamTimeoutMs: 10_000,
  });
  const bootPolicy = (config: PolicyConfig) =>
    bootTestApp({ service: 'policy', module: createPolicyModule({ verifier: tokens.verifier, tokens: upstreamTokens }), config });
  const policy = await bootPolicy(policyConfig);
  apps.push(policy);
  const bus = await connectBus({ servers: nats.servers.split(','), name: 'policy-test', prefix: nats.prefix });
  await ensureStreams(bus, [ORCHESTRATOR_STREAM]);
  return {
    tokens,
    nats,
    bus,
    registry,
    s3,
    scanner,
    concelier,
    excititor,
    policy,
    policyConfig,
    policySchema: schemas.policy,
    async extraPolicy(overrides) {
      const app = await bootPolicy({ ...policyConfig, policyConsumers: false, ...overrides });
      apps.push(app);
      return app;
    },
    async close() {
      for (const app of apps.reverse()) await app.close().catch(() => undefined);
      await bus.drain().catch(() => undefined);
      await nats.cleanup();
      for (const schema of Object.values(schemas)) await schema.drop();
      await registry.stop();
      await s3.stop();
      rmSync(cacheDir, { recursive: true, force: true });
      rmSync(importRoot, { recursive: true, force: true });
    },
  };
}

/** JSON over HTTP with a bearer token minted for the scopes (tenant acme). */
export function client(fleet: Pick<Fleet, 'tokens'>) {
  return async function call(
    method: string,
    url: string,
    scope: string,
    body?: unknown,
    clientId = 'alice',
  ): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
    const token = await fleet.tokens.mint({ scope, clientId });
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* raw bodies (sources, canonical documents) */
    }
    return { status: res.status, json, text, headers: res.headers };
  };
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

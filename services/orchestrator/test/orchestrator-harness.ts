import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { Module } from '@nestjs/common';
import { createLocalTokenVerifier } from '@stella/auth';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  startTestRegistry,
  type TestNatsPrefix,
  type TestRegistry,
  type TestSchema,
  migrateTestSchema,
  testServiceConfig,
} from '@stella/testing';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import { ManualClock, type Clock } from '../src/common/clock';
import { orchestratorConfigSchema, type OrchestratorConfig } from '../src/config/orchestrator-config';
import { GrpcServer } from '../src/grpc/grpc-server';
import { OrchestratorModule, type OrchestratorModuleOptions } from '../src/orchestrator.module';
import { orchestratorMigrations } from '../src/persistence/migrations';

export const ISSUER = 'http://authority.test';
export const AUDIENCE = 'stella';
export const ALL_SCOPES = [
  'release:read',
  'release:write',
  'release:promote',
  'release:approve',
  'release:admin',
  'deploy:write',
  'audit:read',
].join(' ');

export interface Identity {
  tenant?: string;
  sub?: string;
  scope?: string;
  roles?: string[];
  clientId?: string;
}

export interface OrchestratorHarness {
  svc: ServiceApp;
  url: string;
  grpcPort: number;
  config: OrchestratorConfig;
  schema: TestSchema;
  nats: TestNatsPrefix;
  registry: TestRegistry;
  clock: Clock;
  token(identity?: Identity): Promise<string>;
  /** fetch against the service with a bearer token for the identity. */
  api(method: string, path: string, options?: { as?: Identity; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** Runs SQL in the service's schema (tampering, assertions). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: assertions check shapes
}

/** An orchestrator on random ports with its own schema, NATS prefix and a real registry. */
export async function startOrchestrator(
  options: { clock?: Clock; overrides?: Partial<OrchestratorConfig>; module?: Partial<OrchestratorModuleOptions>; registry?: TestRegistry } = {},
): Promise<OrchestratorHarness> {
  const schema = await createTestSchema('orch');
  const nats = createTestNatsPrefix();
  const registry = options.registry ?? (await startTestRegistry());
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = `test-${randomUUID()}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' };
  const clock = options.clock ?? new ManualClock(new Date());
  const config = orchestratorConfigSchema.parse({
    ...testServiceConfig(schema, nats, 8),
    orchestratorGrpcPort: 0,
    orchestratorWatchPollMs: 200,
    ...options.overrides,
  });
  await migrateTestSchema(schema, orchestratorMigrations, 'stella-orchestrator-test-migrate');

  const verifier = createLocalTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, getKeys: () => [jwk] });
  @Module({ imports: [OrchestratorModule.forRoot({ verifier, clock, ...options.module })] })
  class TestOrchestratorModule {}
  const svc = await bootTestApp({ service: 'orchestrator', module: TestOrchestratorModule, config });
  const grpcPort = svc.app.get(GrpcServer).port;
  const sqlClient = new Client({ connectionString: schema.url });
  await sqlClient.connect();
  await sqlClient.query(`SET search_path TO "${schema.schema}"`);

  const token = (identity: Identity = {}) => signToken(privateKey, kid, identity);
  return {
    svc,
    url: svc.url,
    grpcPort,
    config,
    schema,
    nats,
    registry,
    clock,
    token,
    async api(method, path, opts = {}) {
      const response = await fetch(`${svc.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await token(opts.as)}`,
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
    async sql(text, params = []) {
      return (await sqlClient.query(text, params)).rows;
    },
    async close() {
      await svc.close();
      await sqlClient.end();
      await nats.cleanup();
      await schema.drop();
      if (!options.registry) await registry.stop();
    },
  };
}

/** An RFC 9068 access token signed with the test key (what the authority would issue). */
export async function signToken(privateKey: KeyObject, kid: string, identity: Identity = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const sub = identity.sub ?? 'ci';
  return new SignJWT({
    tenant: identity.tenant ?? 'acme',
    scope: identity.scope ?? ALL_SCOPES,
    client_id: identity.clientId ?? sub,
    ...(identity.roles ? { roles: identity.roles } : {}),
    jti: randomUUID(),
  })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + 600)
    .sign(privateKey);
}

/** A user (sub differs from client_id, so the token is a user token). */
export function user(name: string, extra: Identity = {}): Identity {
  return { sub: name, clientId: 'stella-console', ...extra };
}

// The evidence chain in one process, as production wires it: the real signer and attestor (booted
// from their builds, as their own tests boot them), the export service, Postgres, JetStream and an
// S3 endpoint (s3rver). Decisions enter on the orchestrator's stream exactly as the orchestrator
// publishes them (same event, same source, same stream), built by the same libs/gates code.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { connectBus, defineStream, ensureStreams, publishEvent, type Bus } from '@stella/bus';
import { digestOf } from '@stella/canonical';
import { buildEvent, encodeEvent } from '@stella/contracts';
import {
  buildDecisionRecord,
  createGateRegistry,
  decisionInputsOf,
  decisionReasons,
  evaluateGates,
  gateEvaluations,
  verdictOf,
  type DecisionInputsV1,
  type Gate,
  type GateContext,
  type GatePolicy,
} from '@stella/gates';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  createTestTokenIssuer,
  loadServiceBuild,
  migrateTestSchema,
  startTestRegistry,
  startTestS3,
  type TestNatsPrefix,
  type TestRegistry,
  type TestS3,
  type TestSchema,
  type TestTokenIssuer,
} from '@stella/testing';
import type { MigrationInterface } from 'typeorm';
import type { Clock } from '../src/common/clock';
import { exportConfigSchema, type ExportConfig } from '../src/config/export-config';
import { createExportModule } from '../src/export.module';
import { exportMigrations } from '../src/migrations';

const root = resolve(__dirname, '../../..');
/** Another service's build, loaded for this in-process fleet (services never import each other's code). */
const build = loadServiceBuild;

interface ServicePackage {
  migrations: Array<new () => MigrationInterface>;
  schema: { parse(input: unknown): Record<string, unknown> & { natsPrefix: string } };
  module(options: Record<string, unknown>): Type<unknown>;
}

export class MutableClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export const TENANT = 'acme';
const ORCHESTRATOR_STREAM = defineStream({ name: 'ORCHESTRATOR', subjects: ['orchestrator.>'], maxAgeDays: 365 });

export interface EvidenceFleet {
  /** The real orchestrator, when the fleet was started with `{ orchestrator: true }`. */
  orchestrator?: { svc: ServiceApp; registry: TestRegistry; api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The real policy service (booted from its build), when the fleet was started with `{ policy: true }`. */
  policy?: { svc: ServiceApp; schema: TestSchema; dist: string; api(method: string, path: string, body?: unknown, scope?: string): Promise<{ status: number; body: any; text: string }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  signer: ServiceApp;
  attestor: ServiceApp;
  exporter: ServiceApp;
  caPem: string;
  logKey: string;
  s3: TestS3;
  clock: MutableClock;
  tokens: TestTokenIssuer;
  bus: Bus;
  api(method: string, path: string, body?: unknown, scope?: string, tenant?: string): Promise<{ status: number; body: any; bytes: Buffer }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

async function migrated(prefix: string, migrations: Array<new () => MigrationInterface>): Promise<TestSchema> {
  const schema = await createTestSchema(prefix);
  await migrateTestSchema(schema, migrations, `stella-${prefix}-test-migrate`);
  return schema;
}

export async function startEvidenceFleet(options: { orchestrator?: boolean; policy?: boolean } = {}): Promise<EvidenceFleet> {
  const signerPkg = build<{ createSignerModule: ServicePackage['module']; signerConfigSchema: ServicePackage['schema']; signerMigrations: ServicePackage['migrations'] }>('signer');
  const attestorPkg = build<{ createAttestorModule: ServicePackage['module']; attestorConfigSchema: ServicePackage['schema']; attestorMigrations: ServicePackage['migrations'] }>('attestor');
  const nats: TestNatsPrefix = createTestNatsPrefix();
  const s3 = await startTestS3();
  const tokens = createTestTokenIssuer({ scope: 'evidence:read evidence:export', tenant: TENANT });
  const dataDir = mkdtempSync(join(tmpdir(), 'stella-export-fleet-'));
  const schemas: TestSchema[] = [];
  const base = { httpPort: 0, databasePoolSize: 6, natsUrl: nats.servers, natsPrefix: nats.prefix };

  const bus = await connectBus({ servers: nats.servers, prefix: nats.prefix, name: 'export-test-orchestrator' });
  await ensureStreams(bus, [ORCHESTRATOR_STREAM]);

  let orchestrator: EvidenceFleet['orchestrator'];
  if (options.orchestrator) {
    const orchestratorPkg = build<{
      OrchestratorModule: { forRoot(options: Record<string, unknown>): DynamicModule };
      orchestratorConfigSchema: ServicePackage['schema'];
      orchestratorMigrations: ServicePackage['migrations'];
    }>('orchestrator');
    const registry = await startTestRegistry();
    const orchestratorSchema = await migrated('orch', orchestratorPkg.orchestratorMigrations);
    schemas.push(orchestratorSchema);
    @Module({ imports: [orchestratorPkg.OrchestratorModule.forRoot({ verifier: tokens.verifier })] })
    class FleetOrchestratorModule {}
    const svc = await bootTestApp({
      service: 'orchestrator',
      module: FleetOrchestratorModule,
      config: orchestratorPkg.orchestratorConfigSchema.parse({
        ...base,
        databaseUrl: orchestratorSchema.url,
        databaseSchema: orchestratorSchema.schema,
        orchestratorGrpcPort: 0,
      }) as never,
    });
    orchestrator = {
      svc,
      registry,
      async api(method, path, body) {
        const token = await tokens.mint({ scope: 'release:read release:write release:promote', clientId: 'ci-bot' });
        const response = await fetch(`${svc.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      },
    };
  }

  let policy: EvidenceFleet['policy'];
  if (options.policy) {
    // The real policy service: it evaluates and stores evaluations; its upstreams (scanner,
    // concelier, excititor) are not configured, so images have no SBOM (the test policy has no gate needing one).
    const policyPkg = build<{ createPolicyModule: ServicePackage['module']; policyConfigSchema: ServicePackage['schema']; policyMigrations: ServicePackage['migrations'] }>('policy');
    const policySchema = await migrated('policy', policyPkg.policyMigrations);
    schemas.push(policySchema);
    const svc = await bootTestApp({
      service: 'policy',
      module: policyPkg.createPolicyModule({ verifier: tokens.verifier, tokens: { authorizationHeader: async () => `Bearer ${await tokens.mint({ scope: 'scan:read', clientId: 'stella-policy' })}` } }),
      config: policyPkg.policyConfigSchema.parse({
        ...base,
        databaseUrl: policySchema.url,
        databaseSchema: policySchema.schema,
        policyConsumers: false,
        policyUpstreamTimeoutMs: 1000,
      }) as never,
    });
    policy = {
      svc,
      schema: policySchema,
      dist: join(root, 'services', 'policy', 'dist'),
      async api(method, path, body, scope = 'policy:read') {
        const token = await tokens.mint({ scope, clientId: 'stella-orchestrator' });
        const response = await fetch(`${svc.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        const type = response.headers.get('content-type') ?? '';
        return { status: response.status, body: type.includes('json') && text ? JSON.parse(text) : undefined, text };
      },
    };
  }

  const signerSchema = await migrated('signer', signerPkg.signerMigrations);
  schemas.push(signerSchema);
  const signer = await bootTestApp({
    service: 'signer',
    module: signerPkg.createSignerModule({ verifier: tokens.verifier }),
    config: signerPkg.signerConfigSchema.parse({
      ...base,
      databaseUrl: signerSchema.url,
      databaseSchema: signerSchema.schema,
      signerKek: randomBytes(32).toString('base64'),
      signerDataDir: join(dataDir, 'signer'),
    }) as never,
  });
  const caPem = await (await fetch(`${signer.url}/api/v1/ca`)).text();

  const attestorSchema = await migrated('attestor', attestorPkg.attestorMigrations);
  schemas.push(attestorSchema);
  const attestor = await bootTestApp({
    service: 'attestor',
    module: attestorPkg.createAttestorModule({
      verifier: tokens.verifier,
      signerTokens: { getToken: () => tokens.mint({ scope: 'signer:sign', clientId: 'stella-attestor' }) },
    }),
    config: attestorPkg.attestorConfigSchema.parse({
      ...base,
      databaseUrl: attestorSchema.url,
      databaseSchema: attestorSchema.schema,
      attestorDataDir: join(dataDir, 'attestor'),
      attestorSignerCa: caPem,
      attestorLogOrigin: 'export.test/log',
    }) as never,
  });
  const logKey = ((await (await fetch(`${attestor.url}/api/v1/log/key`)).json()) as { vkey: string }).vkey;

  const exportSchema = await migrated('export', exportMigrations);
  schemas.push(exportSchema);
  const clock = new MutableClock();
  const config: ExportConfig = exportConfigSchema.parse({
    ...base,
    databaseUrl: exportSchema.url,
    databaseSchema: exportSchema.schema,
    exportS3Endpoint: s3.endpoint,
    exportS3AccessKey: s3.accessKey,
    exportS3SecretKey: s3.secretKey,
    exportS3Region: s3.region,
    exportS3Bucket: 'evidence-test',
    exportAttestorUrl: attestor.url,
    exportSignerUrl: signer.url,
    exportSweepIntervalMs: 0,
    ...(policy ? { exportPolicyUrl: policy.svc.url } : {}),
  });
  const exporter = await bootTestApp({
    service: 'export',
    module: createExportModule({
      verifier: tokens.verifier,
      serviceTokens: { getToken: () => tokens.mint({ scope: 'signer:sign attest:read policy:read', clientId: 'stella-export' }) },
      clock,
    }),
    config,
  });

  return {
    ...(orchestrator ? { orchestrator } : {}),
    ...(policy ? { policy } : {}),
    signer,
    attestor,
    exporter,
    caPem,
    logKey,
    s3,
    clock,
    tokens,
    bus,
    async api(method, path, body, scope, tenant) {
      const token = await tokens.mint({ ...(scope === undefined ? {} : { scope }), ...(tenant === undefined ? {} : { tenant }) });
      const response = await fetch(`${exporter.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, body: type.includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined, bytes };
    },
    async close() {
      await exporter.close();
      await attestor.close();
      await signer.close();
      if (policy) await policy.svc.close();
      if (orchestrator) {
        await orchestrator.svc.close();
        await orchestrator.registry.stop();
      }
      await bus.close();
      await nats.cleanup();
      for (const schema of schemas) await schema.drop();
      await s3.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const POLICY: GatePolicy = {
  approvals: { required: 2, approverRoles: [] },
  separationOfDuties: true,
  freezeWindows: [],
  gates: ['previous-environment', 'freeze-window', 'approvals'],
  deployment: { mode: 'reported' },
};

/**
 * A release and a decision about it, published on the orchestrator's stream exactly as the
 * orchestrator does (release.created, then decision.recorded with the record and its inputs).
 */
export async function publishDecision(
  bus: Bus,
  environment: string,
  version: string,
  tenant = TENANT,
  options: { extraGates?: Gate[]; now?: Date } = {},
): Promise<{ decisionId: string; releaseId: string; eventBytes: number; inputs: DecisionInputsV1 }> {
  const components = [{ name: 'api', repository: 'registry.example.com/shop/api', digest: imageDigestOf(version) }];
  const manifest = { schema: 'https://stella-ops.dev/schemas/release-manifest/v1', name: 'shop', version, components };
  const releaseId = digestOf(manifest);
  const now = options.now ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const base = environment === 'prod' ? POLICY : { ...POLICY, approvals: { required: 0, approverRoles: [] } };
  const extraGates = options.extraGates ?? [];
  const policy = extraGates.length === 0 ? base : { ...base, gates: [...base.gates, ...extraGates.map((g) => g.name)] };
  const context: GateContext = {
    tenant,
    now,
    promotion: { id: crypto.randomUUID(), kind: 'promotion', requestedBy: 'user:alice' },
    release: { id: releaseId, name: 'shop', version, createdBy: 'client:ci' },
    environment: { name: environment, policy, policyDigest: digestOf(policy) },
    path: { environments: ['dev', 'stage', 'prod'], allowSkip: false, version: 1 },
    approvals: environment === 'prod' ? [
      { approver: 'user:bob', time: new Date(now.getTime() - 2000).toISOString(), comment: 'ship it' },
      { approver: 'user:carol', time: new Date(now.getTime() - 1000).toISOString() },
    ] : [],
    priorSuccesses: environment === 'prod' ? [{ environment: 'stage', promotionId: crypto.randomUUID(), state: 'deployed' }] : [],
  };
  const registry = createGateRegistry(extraGates);
  const results = await evaluateGates(context, (name) => registry.current(name));
  const verdict = verdictOf(results);
  if (verdict === 'pending') throw new Error('test decision pending');
  const evaluatedAt = now.toISOString();
  const decision = buildDecisionRecord({
    tenant,
    release: context.release,
    environment: context.environment,
    path: context.path,
    verdict,
    reasons: decisionReasons(verdict, results),
    gates: gateEvaluations(results),
    approvals: context.approvals,
    evaluatedAt,
  });
  const inputs = decisionInputsOf({ context, results, evaluatedAt, approvals: context.approvals, path: context.path });
  const source = '/stella/orchestrator';
  await publishEvent(
    bus,
    buildEvent('stella.orchestrator.release.created', {
      source,
      tenant,
      subject: releaseId,
      time: now,
      data: { tenantId: tenant, release: { id: releaseId, name: 'shop', version }, components, origin: 'api', actor: { type: 'client', id: 'ci' } },
    } as never) as never,
  );
  const decisionEvent = buildEvent('stella.orchestrator.decision.recorded', {
    source,
    tenant,
    subject: decision.id,
    time: now,
    data: {
      tenantId: tenant,
      decisionId: decision.id,
      promotionId: context.promotion.id,
      verdict,
      environment,
      releaseManifestDigest: releaseId,
      recordDigest: decision.digest,
      record: decision.record as unknown as Record<string, unknown>,
      inputs: inputs as unknown as Record<string, unknown>,
    },
  });
  await publishEvent(bus, decisionEvent as never);
  return { decisionId: decision.id, releaseId, eventBytes: Buffer.byteLength(encodeEvent(decisionEvent as never)), inputs };
}

/** The image digest publishDecision gives a release version's one component. */
export function imageDigestOf(version: string): string {
  return digestOf({ image: version });
}

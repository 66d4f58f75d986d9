import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { registryConfigSchema } from '@stella/oci';
import { z } from 'zod';

export const ORCHESTRATOR_SERVICE_NAME = 'orchestrator';

const tenantKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'tenant id');

/** The orchestrator's keys on top of every service's keys and the registry client's (env `STELLA_<SCREAMING_SNAKE>`). */
export const orchestratorConfigSchema = baseServiceConfigSchema.extend({
  ...registryConfigSchema.shape,
  /** gRPC API (CI systems): listen address; port 0 picks a free one (tests). */
  orchestratorGrpcEnabled: z.boolean().default(true),
  orchestratorGrpcHost: z.string().min(1).default('127.0.0.1'),
  orchestratorGrpcPort: z.number().int().min(0).max(65535).default(7502),
  /** PEM certificate chain and key for gRPC over TLS (or the _FILE variants). Unset: plaintext, for loopback or behind a TLS proxy. */
  orchestratorGrpcTlsCert: z.string().min(1).optional(),
  orchestratorGrpcTlsKey: z.string().min(1).optional(),
  /** Largest gRPC message accepted, in bytes (same role as bodyLimitBytes for REST). */
  orchestratorGrpcMaxMessageBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1_048_576),
  /**
   * Registry notification intake: tenant -> shared secret (JSON, or _FILE). The registry sends
   * `Authorization: Bearer <secret>`; the secret selects the tenant. Empty: intake refused.
   * Named …Credentials so libs/config never echoes the value in errors.
   */
  orchestratorIntakeCredentials: z.record(tenantKey, z.string().min(24, 'intake secrets need at least 24 characters')).default({}),
  /** How long an Idempotency-Key (and its stored response) is kept; afterwards the key may be reused. */
  orchestratorIdempotencyRetentionHours: z.number().int().min(1).max(24 * 365).default(24),
  /** Verified-by-digest image lookups kept in memory (content under a digest never changes); 0 disables. */
  orchestratorDigestCacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
  /** Fallback poll of WatchPromotion streams when no NATS wake-up arrives. */
  orchestratorWatchPollMs: z.number().int().min(50).max(60_000).default(2_000),
  /** Releases, promotions and audit entries returned per page at most. */
  orchestratorMaxPageSize: z.number().int().min(10).max(10_000).default(500),
  /** The policy service; set, the `policy` gate exists and environments may list it in their gates. */
  orchestratorPolicyUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Timeout of one evaluation call to the policy service; past it the gate is pending (fail closed). */
  orchestratorPolicyTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  /** OAuth client the orchestrator obtains `policy:evaluate` tokens with. */
  orchestratorClientId: z.string().min(1).default('stella-orchestrator'),
  /** Its secret (or STELLA_ORCHESTRATOR_CLIENT_SECRET_FILE); quickstart provisions it. Unset: the policy gate is pending. */
  orchestratorClientSecret: z.string().min(1).optional(),
});

export type OrchestratorConfig = z.infer<typeof orchestratorConfigSchema>;

/** Cross-key rules zod cannot express field by field. */
export function assertOrchestratorConfig(config: OrchestratorConfig): OrchestratorConfig {
  if ((config.orchestratorGrpcTlsCert === undefined) !== (config.orchestratorGrpcTlsKey === undefined)) {
    throw new Error('STELLA_ORCHESTRATOR_GRPC_TLS_CERT and STELLA_ORCHESTRATOR_GRPC_TLS_KEY must be set together');
  }
  return config;
}

export function loadOrchestratorConfig(env?: Record<string, string | undefined>): OrchestratorConfig {
  return assertOrchestratorConfig(
    loadConfig({
      service: ORCHESTRATOR_SERVICE_NAME,
      schema: orchestratorConfigSchema,
      ...(env ? { env } : {}),
    }),
  );
}

/** The Postgres schema: STELLA_DATABASE_SCHEMA or the service name. */
export function schemaFor(config: Pick<OrchestratorConfig, 'databaseSchema'>): string {
  return config.databaseSchema ?? ORCHESTRATOR_SERVICE_NAME;
}

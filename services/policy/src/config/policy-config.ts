import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { z } from 'zod';

export const POLICY_SERVICE_NAME = 'policy';

const httpUrl = () => z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/** The policy service's keys on top of every service's (env `STELLA_POLICY_*`). */
export const policyConfigSchema = baseServiceConfigSchema.extend({
  /** The scanner (SBOMs by image digest, component index). Unset: findings cannot be built (fail closed). */
  policyScannerUrl: httpUrl().optional(),
  /** Concelier (advisory matching, feed snapshots). Unset: findings cannot be built (fail closed). */
  policyConcelierUrl: httpUrl().optional(),
  /** Excititor (VEX consensus). Unset: findings carry no VEX and say so. */
  policyExcititorUrl: httpUrl().optional(),
  /** Attestor (attestations by subject digest). Unset: the input lists attestations as unavailable. */
  policyAttestorUrl: httpUrl().optional(),
  /** OAuth client the policy service calls the other services with (scan:read, advisory:read, vex:read, attest:read). */
  policyClientId: z.string().min(1).default('stella-policy'),
  /** Its secret (or STELLA_POLICY_CLIENT_SECRET_FILE). Unset: calls to other services go without a token and are refused. */
  policyClientSecret: z.string().min(1).optional(),
  /** Timeout of one call to another service. */
  policyUpstreamTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  /** Longest an exception may be granted for, in days (its expiry is mandatory and bounded). */
  policyExceptionMaxDays: z.number().int().min(1).max(3650).default(90),
  /** Largest policy document accepted, in bytes. */
  policyMaxDocumentBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  /** Consume scan, advisory, VEX and orchestrator events (findings, release tracking, re-evaluation). */
  policyConsumers: z.boolean().default(true),
  /** Calls to excititor, and release evaluations prepared, at once during a re-evaluation. */
  policyReevaluationConcurrency: z.number().int().min(1).max(64).default(8),
});

export type PolicyConfig = z.infer<typeof policyConfigSchema>;

export function loadPolicyConfig(env?: Record<string, string | undefined>): PolicyConfig {
  return loadConfig({
    service: POLICY_SERVICE_NAME,
    schema: policyConfigSchema,
    ...(env ? { env } : {}),
  });
}

/** The Postgres schema: STELLA_DATABASE_SCHEMA or the service name. */
export function schemaOfPolicy(config: Pick<PolicyConfig, 'databaseSchema'>): string {
  return config.databaseSchema ?? POLICY_SERVICE_NAME;
}

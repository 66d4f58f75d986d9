import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { z } from 'zod';

export const EXPORT_SERVICE_NAME = 'export';

/** The export service's keys on top of the keys every service has (env `STELLA_<SCREAMING_SNAKE>`). */
export const exportConfigSchema = baseServiceConfigSchema.extend({
  /** S3-compatible endpoint of the evidence store (MinIO, S3, s3rver), e.g. `http://127.0.0.1:9000`. */
  exportS3Endpoint: z.url().optional(),
  exportS3Region: z.string().min(1).default('us-east-1'),
  /** Access key id of the evidence store (or STELLA_EXPORT_S3_ACCESS_KEY_FILE). */
  exportS3AccessKey: z.string().min(1).optional(),
  /** Secret access key of the evidence store (or STELLA_EXPORT_S3_SECRET_KEY_FILE). */
  exportS3SecretKey: z.string().min(1).optional(),
  /** Bucket holding packets and audit packs; created at start when missing. */
  exportS3Bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .default('stella-evidence'),
  /** Path-style addressing (`endpoint/bucket/key`): MinIO and s3rver need it. */
  exportS3PathStyle: z.boolean().default(true),
  /** The attestor's base URL (log entries, checkpoints and proofs; attestations about a release). */
  exportAttestorUrl: z.url().default('http://127.0.0.1:7404'),
  /** The signer's base URL (its public certificates and root CA). */
  exportSignerUrl: z.url().default('http://127.0.0.1:7403'),
  /** The policy service's base URL (the policy source and input of evaluations decisions reference). */
  exportPolicyUrl: z.url().default('http://127.0.0.1:7409'),
  /** OAuth client the export service uses for `signer:sign`, `attest:read` and `policy:read` tokens. */
  exportClientId: z.string().min(1).default('stella-export'),
  exportClientSecret: z.string().min(1).optional(),
  /** Signing request timeout over NATS (the manifest signature). */
  exportSignerTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Consume decision events and build packets (off: REST only). */
  exportDecisionConsumer: z.boolean().default(true),
  /** Environments whose packets are kept under the regulated retention class (comma-separated). */
  exportRegulatedEnvironments: z
    .string()
    .default('prod')
    .transform((value) => value.split(',').map((v) => v.trim()).filter((v) => v.length > 0)),
  /** Days a packet of the standard class is kept before the sweeper deletes it. */
  exportRetentionStandardDays: z.number().int().min(1).max(36_500).default(365),
  /** Days a packet of the regulated class is kept (default 7 years). */
  exportRetentionRegulatedDays: z.number().int().min(1).max(36_500).default(2557),
  /** How often the retention sweeper runs (0: never in this process). */
  exportSweepIntervalMs: z.number().int().min(0).max(7 * 24 * 3_600_000).default(3_600_000),
  /** Largest audit pack (sum of its packets, bytes). */
  exportAuditPackMaxBytes: z.number().int().min(1024).max(8 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024),
});

export type ExportConfig = z.infer<typeof exportConfigSchema>;

export function loadExportConfig(env?: Record<string, string | undefined>): ExportConfig {
  return loadConfig({
    service: EXPORT_SERVICE_NAME,
    schema: exportConfigSchema,
    ...(env ? { env } : {}),
  });
}

export function schemaOfExport(config: ExportConfig): string {
  return config.databaseSchema ?? EXPORT_SERVICE_NAME;
}

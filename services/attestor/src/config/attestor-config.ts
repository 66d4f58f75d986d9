import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { z } from 'zod';

export const ATTESTOR_SERVICE_NAME = 'attestor';

/** The attestor's keys on top of the keys every service has (env `STELLA_<SCREAMING_SNAKE>`). */
export const attestorConfigSchema = baseServiceConfigSchema.extend({
  /** Origin line of checkpoints and name of the log's note key; verifiers pin `<origin>+<hash>+<key>`. */
  attestorLogOrigin: z
    .string()
    .regex(/^[^\s+]{1,128}$/, 'no spaces or "+"')
    .default('stella-ops.local/log'),
  /** PKCS#8 PEM Ed25519 key signing checkpoints (or STELLA_ATTESTOR_LOG_KEY_FILE); generated into the data dir (0600) if unset. */
  attestorLogKey: z.string().min(1).optional(),
  attestorDataDir: z.string().min(1).default('./.stella'),
  /** An append batch is written when it holds this many entries... */
  attestorAppendBatchMax: z.number().int().min(1).max(10_000).default(500),
  /** ...or when its first entry waited this long. */
  attestorAppendFlushMs: z.number().int().min(0).max(10_000).default(10),
  /** Largest log entry (bytes) accepted by POST /api/v1/log/entries. */
  attestorMaxEntryBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** The signer's pinned root CA (PEM, or STELLA_ATTESTOR_SIGNER_CA_FILE): signer certificates must chain to it. */
  attestorSignerCa: z.string().min(1).optional(),
  /** Extra trusted public keys or certificates (PEM blocks, or STELLA_ATTESTOR_TRUSTED_KEYS_FILE) for third-party attestations. */
  attestorTrustedKeys: z.string().min(1).optional(),
  /** Consume orchestrator decisions and attest them. */
  attestorDecisionConsumer: z.boolean().default(true),
  /** OAuth client the attestor uses to obtain `signer:sign` tokens from the authority. */
  attestorClientId: z.string().min(1).default('stella-attestor'),
  attestorClientSecret: z.string().min(1).optional(),
  /** Signing request timeout over NATS. */
  attestorSignerTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});

export type AttestorConfig = z.infer<typeof attestorConfigSchema>;

export function loadAttestorConfig(env?: Record<string, string | undefined>): AttestorConfig {
  return loadConfig({
    service: ATTESTOR_SERVICE_NAME,
    schema: attestorConfigSchema,
    ...(env ? { env } : {}),
  });
}

export function schemaOfAttestor(config: AttestorConfig): string {
  return config.databaseSchema ?? ATTESTOR_SERVICE_NAME;
}

import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { z } from 'zod';

export const SIGNER_SERVICE_NAME = 'signer';

const days = (max: number) => z.number().int().min(1).max(max);

/** The signer's keys on top of the keys every service has (env `STELLA_<SCREAMING_SNAKE>`). */
export const signerConfigSchema = baseServiceConfigSchema
  .extend({
    /** `fips`: only ECDSA P-256 signing keys may be created, imported or used. */
    signerProfile: z.enum(['default', 'fips']).default('default'),
    /** Algorithm of keys the signer generates (bootstrap, rotation). */
    signerKeyAlgorithm: z.enum(['ed25519', 'ecdsa-p256']).default('ed25519'),
    /** A PKCS#8 PEM private key to import as the active signing key on first start (or STELLA_SIGNER_KEY_FILE). */
    signerKey: z.string().min(1).optional(),
    /** Base64 of 32 random bytes encrypting private keys at rest (or STELLA_SIGNER_KEK_FILE); generated into the data dir (0600) if unset. */
    signerKek: z.string().min(1).optional(),
    signerDataDir: z.string().min(1).default('./.stella'),
    /** Subject CN of the root CA created at first start. */
    signerCaCommonName: z.string().min(1).max(64).default('Stella Ops Root CA'),
    signerCaValidityDays: days(36_500).default(3650),
    /** Validity of each signing key's certificate; a key whose certificate expired signs nothing more. */
    signerCertValidityDays: days(3650).default(365),
    /** Sustained signatures per second allowed per client id (token bucket refill rate). */
    signerRateLimitPerSec: z.number().int().min(1).max(1_000_000).default(5000),
    /** Bucket size: the burst a client may spend at once. */
    signerRateLimitBurst: z.number().int().min(1).max(10_000_000).default(10_000),
    /** Audit rows are group-committed: a signature is released once its batch committed. */
    signerAuditFlushMs: z.number().int().min(0).max(1000).default(2),
    signerAuditBatchMax: z.number().int().min(1).max(10_000).default(1000),
    /** Largest payload (bytes, before base64) the signer signs. */
    signerMaxPayloadBytes: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    /** Tenant that owns platform events (key rotation) with no caller tenant. */
    signerPlatformTenant: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
      .default('default'),
    /** Answer signing requests on NATS `<prefix>.signer.sign`. */
    signerNatsEnabled: z.boolean().default(true),
    /** Optional Sigstore keyless signing (`keyless: true` requests): off by default, never needed for verification. */
    signerSigstoreEnabled: z.boolean().default(false),
    /** Fulcio CA base URL (API v2 `POST /api/v2/signingCert`). */
    signerSigstoreFulcioUrl: z.url({ protocol: /^https?$/ }).default('https://fulcio.sigstore.dev'),
    /** Rekor transparency log base URL (API v1 `POST /api/v1/log/entries`). */
    signerSigstoreRekorUrl: z.url({ protocol: /^https?$/ }).default('https://rekor.sigstore.dev'),
    /** File holding the OIDC identity token (e.g. a CI workload identity), re-read for every keyless signature. */
    signerSigstoreOidcTokenFile: z.string().min(1).optional(),
    /** Upload each keyless signature to Rekor and return the log entry in the bundle. */
    signerSigstoreTlogUpload: z.boolean().default(true),
    /** Timeout of each Fulcio/Rekor HTTP call. */
    signerSigstoreTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.signerSigstoreEnabled && config.signerSigstoreOidcTokenFile === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signerSigstoreOidcTokenFile'],
        message: 'Sigstore keyless signing needs an OIDC identity token file',
      });
    }
    if (config.signerProfile === 'fips' && config.signerKeyAlgorithm !== 'ecdsa-p256') {
      ctx.addIssue({
        code: 'custom',
        path: ['signerKeyAlgorithm'],
        message: 'the fips profile allows only ecdsa-p256 signing keys',
      });
    }
  });

export type SignerConfig = z.infer<typeof signerConfigSchema>;

export function loadSignerConfig(env?: Record<string, string | undefined>): SignerConfig {
  return loadConfig({ service: SIGNER_SERVICE_NAME, schema: signerConfigSchema, ...(env ? { env } : {}) });
}

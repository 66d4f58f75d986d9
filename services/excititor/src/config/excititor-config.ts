import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { z } from 'zod';

export const EXCITITOR_SERVICE_NAME = 'excititor';

/** One VEX issuer Stella knows: how much its statements count and how to recognise them. */
export const issuerSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,127}$/),
  /** 0 = statements are listed but never used; 100 = most trusted. Equal trust + disagreement = conflict. */
  trust: z.number().int().min(0).max(100),
  /** Author/publisher names this issuer writes unsigned documents as (OpenVEX `author`, CSAF `publisher.name`, CycloneDX manufacturer/supplier). */
  authors: z.array(z.string().min(1).max(500)).max(100).default([]),
  /** PEM public keys (Ed25519, ECDSA P-256/P-384, RSA) that sign this issuer's DSSE-enveloped VEX. */
  publicKeys: z
    .array(
      z.strictObject({
        keyId: z.string().min(1).max(200).optional(),
        publicKeyPem: z.string().min(1).max(10_000),
      }),
    )
    .max(20)
    .default([]),
  /** Refuse this issuer's unsigned documents. */
  requireSignature: z.boolean().default(false),
});
export type IssuerConfig = z.infer<typeof issuerSchema>;

/** Excititor's keys on top of every service's (env `STELLA_EXCITITOR_*`). */
export const excititorConfigSchema = baseServiceConfigSchema.extend({
  /** Issuers and their trust (JSON array in STELLA_EXCITITOR_ISSUERS, or the YAML config file); read-only through the API, which registers further issuers at runtime. */
  excititorIssuers: z
    .array(issuerSchema)
    .max(1000)
    .default([])
    .refine((list) => new Set(list.map((i) => i.id)).size === list.length, {
      error: 'issuer ids must be unique',
    }),
  /**
   * How often each replica checks the runtime issuer registry (PUT/DELETE /api/v1/issuers/:id) for
   * changes made through another replica; the replica that made a change applies it at once.
   */
  excititorIssuerRefreshMs: z.number().int().min(100).max(3_600_000).default(5000),
  /** Largest single VEX document (the request body limit applies too: STELLA_BODY_LIMIT_BYTES). */
  excititorMaxDocumentBytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
});

export type ExcititorConfig = z.infer<typeof excititorConfigSchema>;

export function loadExcititorConfig(env?: Record<string, string | undefined>): ExcititorConfig {
  return loadConfig({
    service: EXCITITOR_SERVICE_NAME,
    schema: excititorConfigSchema,
    ...(env ? { env } : {}),
  });
}

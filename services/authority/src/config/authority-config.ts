import { baseServiceConfigSchema } from '@stella/config';
import { z } from 'zod';

const secondsBetween = (min: number, max: number) => z.number().int().min(min).max(max);

/** The authority's own keys, on top of the keys every service has (env `STELLA_<SCREAMING_SNAKE>`). */
export const authorityConfigSchema = baseServiceConfigSchema.extend({
  /**
   * `iss` of every token and base of the discovery document's URLs. Services must use the same
   * value as their STELLA_AUTHORITY_URL. Unset: http://<httpHost>:<httpPort>.
   */
  authorityIssuer: z.url({ protocol: /^https?$/ }).optional(),
  /** Audiences a client may ask for with `audience=`; the first is the default. */
  authorityAudiences: z.array(z.string().min(1)).min(1).default(['stella']),
  /** Access-token lifetime. Short on purpose: there is no revocation list, disabling a client stops new tokens only. */
  authorityTokenTtlSec: secondsBetween(30, 86_400).default(600),
  /** Clock skew allowed between the authority and verifiers; part of the key retirement delay. */
  authorityClockSkewSec: secondsBetween(0, 600).default(60),
  /** Token signing algorithm of newly created keys. */
  authoritySigningAlgorithm: z.enum(['EdDSA', 'ES256']).default('EdDSA'),
  /** Automatic signing-key rotation interval; 0 turns it off (rotate through the admin API). */
  authorityKeyRotationIntervalSec: secondsBetween(0, 10 * 365 * 86_400).default(30 * 86_400),
  /** How often each replica looks for keys to rotate or retire. */
  authorityKeyMaintenanceIntervalSec: secondsBetween(1, 3_600).default(60),
  /** How long a replica reuses the active key and the published key set before re-reading Postgres. */
  authorityKeyCacheSec: secondsBetween(0, 300).default(5),
  /** Base64 of 32 random bytes encrypting signing keys at rest (or STELLA_AUTHORITY_KEK_FILE). */
  authorityKek: z.string().min(1).optional(),
  /** Where a generated KEK is written when none is configured (first start only). */
  authorityDataDir: z.string().min(1).default('./.stella'),
  /** Where first-start credentials are written (0600), relative to the working directory. */
  authorityBootstrapFile: z.string().min(1).default('./.stella/authority-bootstrap.json'),
  /** Tenant created on first start; also owns platform-wide audit events (key rotation, unattributable failures). */
  authorityBootstrapTenant: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .default('default'),
  authorityBootstrapAdminUsername: z.string().min(1).max(200).default('admin'),
  /** First-party public client ids allowed to use the password grant without a secret (console, CLI). */
  authorityPublicClients: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/))
    .min(1)
    .default(['stella-cli', 'stella-console']),
  /** Scopes beyond the built-in catalogue that clients may be granted. */
  authorityExtraScopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/)).default([]),
  /** Failed token requests allowed per client id (or user) per window before 429. */
  authorityMaxFailuresPerPrincipal: z.number().int().min(1).max(100_000).default(10),
  /** Failed token requests allowed per source IP per window before 429. */
  authorityMaxFailuresPerIp: z.number().int().min(1).max(1_000_000).default(50),
  authorityFailureWindowSec: secondsBetween(1, 86_400).default(300),
  /** Run the outbox relay in this process (JetStream delivery of authority events). */
  authorityOutboxRelay: z.boolean().default(true),
});

export type AuthorityConfig = z.infer<typeof authorityConfigSchema>;

export function issuerOf(config: AuthorityConfig): string {
  const issuer = config.authorityIssuer ?? `http://${config.httpHost}:${config.httpPort}`;
  return issuer.replace(/\/+$/, '');
}

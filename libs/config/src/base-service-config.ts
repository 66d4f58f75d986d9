import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

const HTTP_URL = /^https?$/;

function httpUrl() {
  return z.url({ protocol: HTTP_URL, error: 'expected an http:// or https:// URL' });
}

function integer(min: number, max: number) {
  const message = `expected an integer between ${min} and ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

/**
 * The keys every Stella service has. Services `.extend()` it with their own keys.
 * Version and build information are deliberately not configuration: they come from the build.
 */
export const baseServiceConfigSchema = z.object({
  /** Address the HTTP server binds to (`0.0.0.0` to listen on every interface). */
  httpHost: z.string().min(1).default('127.0.0.1'),
  /** HTTP port (0: any free port, for tests). */
  httpPort: integer(0, 65535),
  /** PostgreSQL connection URL; every service uses its own schema in this database. */
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' }),
  /** The service's own schema; unset means the service's name (`authority`, `orchestrator`, ...). */
  databaseSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error: 'expected a Postgres identifier matching ^[a-z_][a-z0-9_]{0,62}$',
    })
    .optional(),
  /** Connections in the service's pool (the outbox relay holds one more for LISTEN). */
  databasePoolSize: integer(1, 1000).default(10),
  /** NATS server(s) with JetStream, comma-separated. */
  natsUrl: z
    .url({ protocol: /^(nats|tls)$/, error: 'expected a nats:// or tls:// URL' })
    .default('nats://127.0.0.1:4222'),
  /** Namespaces every NATS subject and stream, so test runs and tenants of one server do not collide. */
  natsPrefix: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, { error: 'expected a prefix matching ^[a-z][a-z0-9_]{0,30}$' })
    .default('stella'),
  /** Minimum level of the JSON logs on stdout. */
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** Deadline for a graceful stop after SIGTERM; past it the process exits with code 1. */
  shutdownTimeoutMs: integer(0, 600_000).default(10_000),
  /** Largest accepted request body; larger ones get 413 problem+json. */
  bodyLimitBytes: integer(1, 1_073_741_824).default(1_048_576),
  /** Where the Authority's JWKS lives; unset means the service does not verify tokens itself. */
  authorityUrl: httpUrl().optional(),
  /** `aud` access tokens must carry to be accepted by this service. */
  tokenAudience: z.string().min(1).default('stella'),
  /** Also read from the standard OTEL_EXPORTER_OTLP_ENDPOINT; unset means no tracing SDK is loaded. */
  otelExporterOtlpEndpoint: httpUrl().optional(),
  /** Also read from the standard OTEL_SERVICE_NAME; unset means the service name. */
  otelServiceName: z.string().min(1).optional(),
  /** When set, readiness checks that the object store answers. */
  objectStoreEndpoint: httpUrl().optional(),
});

export type BaseServiceConfig = z.infer<typeof baseServiceConfigSchema>;

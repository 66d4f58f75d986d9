import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { credentialsFromDockerConfig, loadCredentials } from './credentials';
import { OciError } from './errors';
import type { RegistryClientOptions } from './registry-client';

/**
 * Registry settings a service or the CLI adds to its config schema
 * (`baseServiceConfigSchema.extend(registryConfigSchema.shape)`); libs/config maps each key
 * to `STELLA_<KEY>` and `STELLA_<KEY>_FILE`, so `STELLA_REGISTRY_CA_FILE=/etc/ssl/ca.pem`
 * yields the PEM text in `registryCa`.
 */
export const registryConfigSchema = z.object({
  /** `{ "<host>": { username, password | passwordFile } | { token | tokenFile } }` as JSON. */
  registryCredentials: z.record(z.string(), z.unknown()).optional(),
  /** Content of a Docker config.json (`STELLA_REGISTRY_DOCKER_CONFIG_FILE=~/.docker/config.json`). */
  registryDockerConfig: z.string().min(1).optional(),
  /** Hosts allowed to use plain HTTP besides loopback (`host` or `host:port`, comma-separated). */
  registryInsecureHosts: z.array(z.string().min(1)).default([]),
  /** Extra trusted CA certificates, PEM. */
  registryCa: z.string().min(1).optional(),
  registryTimeoutMs: z.number().int().positive().default(30_000),
  registryRetries: z.number().int().min(0).max(10).default(3),
  registryMaxManifestBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
});

export type RegistryConfig = z.infer<typeof registryConfigSchema>;

/**
 * Turns loaded configuration into client options. Credentials from `registryCredentials`
 * win over the Docker config for the same host; `passwordFile` / `tokenFile` are read here.
 */
export function registryClientOptionsFromConfig(
  config: z.input<typeof registryConfigSchema>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): RegistryClientOptions {
  const parsed = registryConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new OciError(
      'INVALID_ARGUMENT',
      `invalid registry configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      {
        cause: parsed.error,
        details: { argument: 'registry configuration' },
      },
    );
  }
  const settings = parsed.data;
  const credentials = {
    ...(settings.registryDockerConfig === undefined
      ? {}
      : credentialsFromDockerConfig(settings.registryDockerConfig)),
    ...(settings.registryCredentials === undefined
      ? {}
      : loadCredentials(settings.registryCredentials, readFile)),
  };
  const options: RegistryClientOptions = {
    credentials,
    insecureHosts: settings.registryInsecureHosts,
    timeoutMs: settings.registryTimeoutMs,
    retries: settings.registryRetries,
    maxManifestBytes: settings.registryMaxManifestBytes,
  };
  if (settings.registryCa !== undefined) options.ca = settings.registryCa;
  return options;
}

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@stella/config';

/**
 * What the CLI reads from the environment (`STELLA_*`, `*_FILE` for secrets) or
 * `/etc/stella/cli.yaml`. Flags override these per command.
 */
export const cliConfigSchema = z.object({
  home: z.string().min(1).optional(),
  authorityUrl: z.string().url().optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  databaseUrl: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  natsUrl: z.string().default('nats://127.0.0.1:4222'),
  natsPrefix: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/)
    .default('stella'),
  fleetFile: z.string().min(1).optional(),
});

export type CliConfig = z.infer<typeof cliConfigSchema> & { home: string; fleetFile: string };

export function loadCliConfig(env?: Record<string, string | undefined>): CliConfig {
  const config = loadConfig({ service: 'cli', schema: cliConfigSchema, ...(env ? { env } : {}) });
  return {
    ...config,
    home: resolve(config.home ?? join(homedir(), '.stella')),
    fleetFile: resolve(config.fleetFile ?? join('.stella', 'fleet.json')),
  };
}

import { baseServiceConfigSchema, ConfigError, loadConfig } from '@stella/config';
import { migrateCli, type CreateDataSourceOptions } from '@stella/db';

/** A migrate run needs only where the database is: not the service's ports, keys or peers. */
export const migrationConfigSchema = baseServiceConfigSchema.pick({
  databaseUrl: true,
  databaseSchema: true,
});

/**
 * Body of every service's `src/migrate.ts` (`node dist/migrate.js`): reads STELLA_DATABASE_URL
 * and STELLA_DATABASE_SCHEMA (default: the service name), runs pending migrations in the
 * service's own schema, prints what ran, and sets the exit code.
 */
export async function runMigrateCommand(options: {
  service: string;
  migrations: NonNullable<CreateDataSourceOptions['migrations']>;
  env?: Record<string, string | undefined>;
}): Promise<number> {
  let config;
  try {
    config = loadConfig({
      service: options.service,
      schema: migrationConfigSchema,
      ...(options.env ? { env: options.env } : {}),
    });
  } catch (error) {
    process.stderr.write(`migrate failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return 1;
  }
  return migrateCli({
    url: config.databaseUrl,
    schema: config.databaseSchema ?? options.service,
    migrations: options.migrations,
    applicationName: `stella-${options.service}-migrate`,
  });
}

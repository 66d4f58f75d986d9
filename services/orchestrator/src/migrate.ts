import { ConfigError, baseServiceConfigSchema, loadConfig } from '@stella/config';
import { migrateCli } from '@stella/db';
import { ORCHESTRATOR_SERVICE_NAME, schemaFor } from './config/orchestrator-config';
import { orchestratorMigrations } from './persistence/migrations';

/** `node dist/migrate.js` (npm run migrate): creates the schema and runs pending migrations. Needs only the database keys. */
async function main(): Promise<void> {
  const config = loadConfig({
    service: ORCHESTRATOR_SERVICE_NAME,
    schema: baseServiceConfigSchema.pick({ databaseUrl: true, databaseSchema: true }),
  });
  await migrateCli({
    url: config.databaseUrl,
    schema: schemaFor(config),
    migrations: orchestratorMigrations,
    applicationName: 'stella-orchestrator-migrate',
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

import { ConfigError } from '@stella/config';
import { migrateCli } from '@stella/db';
import { authorityMigrations } from './migrations';
import { loadAuthorityConfig } from './config/load-authority-config';
import { schemaFor } from './persistence/persistence.module';

/** `npm run migrate -w @stella/authority`: creates the schema and runs pending migrations. */
async function main(): Promise<void> {
  const config = loadAuthorityConfig();
  await migrateCli({
    url: config.databaseUrl,
    schema: schemaFor(config),
    migrations: authorityMigrations,
    applicationName: 'stella-authority-migrate',
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

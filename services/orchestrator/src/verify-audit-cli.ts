import { Client } from 'pg';
import { ConfigError, baseServiceConfigSchema, loadConfig } from '@stella/config';
import { quoteSchema } from '@stella/db';
import { verifyStoredAuditChain } from './audit/audit-log.repository';
import { ORCHESTRATOR_SERVICE_NAME, schemaFor } from './config/orchestrator-config';

/**
 * `node dist/verify-audit-cli.js <tenant>`: verifies a tenant's audit chain straight from Postgres
 * (STELLA_DATABASE_URL, STELLA_DATABASE_SCHEMA), prints the result as JSON, exits 0 if intact, 2 if broken.
 */
async function main(): Promise<number> {
  const tenant = process.argv[2];
  if (!tenant) {
    process.stderr.write('usage: verify-audit-cli <tenant>\n');
    return 64;
  }
  const config = loadConfig({
    service: ORCHESTRATOR_SERVICE_NAME,
    schema: baseServiceConfigSchema.pick({ databaseUrl: true, databaseSchema: true }),
  });
  const client = new Client({ connectionString: config.databaseUrl, application_name: 'stella-orchestrator-verify-audit' });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${quoteSchema(schemaFor(config))}`);
    const result = await verifyStoredAuditChain(async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[], tenant);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.valid ? 0 : 2;
  } finally {
    await client.end();
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(`verify-audit failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });

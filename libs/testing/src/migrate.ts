import { createDataSource, runMigrations, type CreateDataSourceOptions } from '@stella/db';
import { join } from 'node:path';

/** The repository root (libs/testing/{src,dist} -> ../../..). */
const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * Runs a service's migrations into a test schema (what its `migrate` command does before it
 * starts), then closes the connection. Returns the names of the migrations applied.
 */
export async function migrateTestSchema(
  target: { readonly url: string; readonly schema: string },
  migrations: NonNullable<CreateDataSourceOptions['migrations']>,
  applicationName = 'stella-tests-migrate',
): Promise<string[]> {
  const source = createDataSource({ url: target.url, schema: target.schema, migrations, applicationName });
  try {
    return await runMigrations(source);
  } finally {
    if (source.isInitialized) await source.destroy();
  }
}

/**
 * Another service's build (`services/<name>/dist/index.js`), for tests that boot a fleet in one
 * process. Loaded by path, never imported: a service's code does not depend on another service.
 */
export function loadServiceBuild<T>(service: string): T {
  if (!/^[a-z][a-z0-9-]*$/.test(service)) throw new TypeError(`invalid service name ${JSON.stringify(service)}`);
  return require(join(REPO_ROOT, 'services', service, 'dist', 'index.js')) as T;
}

import { join } from 'node:path';
import type { TokenVerifier } from '@stella/auth';
import { createTestTokenIssuer } from '@stella/testing';
import { runMigrations, createDataSource } from '@stella/db';

export const ISSUER = 'https://authority.concelier.test';
export const SHARED_DATA = join(__dirname, '..', '..', '..', '..', 'shared', 'data');

/** A verifier trusting a test key, and tokens signed with it (what the authority issues). */
export function createTokens(): {
  verifier: TokenVerifier;
  token(scopes: string, tenant?: string): Promise<string>;
} {
  const issuer = createTestTokenIssuer({ scope: '', clientId: 'ci-import', issuer: ISSUER });
  return { verifier: issuer.verifier, token: (scope, tenant = 'acme') => issuer.mint({ scope, tenant }) };
}

/** Runs a service's migrations in a test schema (what `npm run migrate` does). */
export async function migrate(
  url: string,
  schema: string,
  migrations: Parameters<typeof createDataSource>[0]['migrations'],
): Promise<void> {
  const dataSource = createDataSource({
    url,
    schema,
    migrations,
    entities: [],
    applicationName: 'stella-tests-migrate',
  });
  try {
    await runMigrations(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

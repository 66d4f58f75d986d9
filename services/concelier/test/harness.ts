import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createLocalTokenVerifier, type TokenVerifier } from '@stella/auth';
import { runMigrations, createDataSource } from '@stella/db';

export const ISSUER = 'https://authority.concelier.test';
export const SHARED_DATA = join(__dirname, '..', '..', '..', '..', 'shared', 'data');

/** A real Ed25519 key, a verifier trusting it, and tokens signed with it (what the authority issues). */
export function createTokens(): {
  verifier: TokenVerifier;
  token(scopes: string, tenant?: string): Promise<string>;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'EdDSA', use: 'sig' };
  return {
    verifier: createLocalTokenVerifier({ issuer: ISSUER, audience: 'stella', getKeys: () => [publicJwk] }),
    async token(scopes, tenant = 'acme') {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        sub: 'ci-import',
        client_id: 'ci-import',
        tenant,
        scope: scopes,
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience('stella')
        .setIssuedAt(now - 5)
        .setExpirationTime(now + 600)
        .sign(privateKey);
    },
  };
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

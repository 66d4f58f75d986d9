import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestTokenIssuer,
  TEST_TOKEN_ISSUER,
  type TestTokenIssuer,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
  migrateTestSchema,
  testServiceConfig,
} from '@stella/testing';
import type { Clock } from '../src/common/clock';
import { signerConfigSchema, type SignerConfig } from '../src/config/signer-config';
import { signerMigrations } from '../src/migrations';
import { createSignerModule } from '../src/signer.module';

export const TEST_ISSUER = TEST_TOKEN_ISSUER;

/** Signer tests mint `signer:sign` tokens by default. */
export function createTokenMinter(): TestTokenIssuer {
  return createTestTokenIssuer({ scope: 'signer:sign' });
}

export interface SignerHarness {
  svc: ServiceApp;
  url: string;
  config: SignerConfig;
  schema: TestSchema;
  nats: TestNatsPrefix;
  tokens: ReturnType<typeof createTokenMinter>;
  boot(overrides?: Partial<SignerConfig>, clock?: Clock): Promise<ServiceApp>;
  close(): Promise<void>;
}

/** A signer on a random port with its own schema, NATS prefix and data directory. */
export async function startSigner(
  overrides: Partial<SignerConfig> = {},
  clock?: Clock,
): Promise<SignerHarness> {
  const schema = await createTestSchema('signer');
  const nats = createTestNatsPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'stella-signer-'));
  const tokens = createTokenMinter();
  const config = signerConfigSchema.parse({
    ...testServiceConfig(schema, nats),
    signerKek: randomBytes(32).toString('base64'),
    signerDataDir: dataDir,
    ...overrides,
  });
  await migrateTestSchema(schema, signerMigrations, 'stella-signer-test-migrate');
  const apps: ServiceApp[] = [];
  const boot = async (extra: Partial<SignerConfig> = {}, bootClock?: Clock) => {
    const app = await bootTestApp({
      service: 'signer',
      module: createSignerModule({
        verifier: tokens.verifier,
        ...((bootClock ?? clock) ? { clock: (bootClock ?? clock)! } : {}),
      }),
      config: { ...config, ...extra },
    });
    apps.push(app);
    return app;
  };
  const svc = await boot();
  return {
    svc,
    url: svc.url,
    config,
    schema,
    nats,
    tokens,
    boot,
    async close() {
      for (const app of apps.reverse()) await app.close();
      await nats.cleanup();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

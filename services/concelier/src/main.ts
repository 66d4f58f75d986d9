import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { concelierRootModule, jwksVerifierFor } from './concelier.module';
import { CONCELIER_SERVICE_NAME, loadConcelierConfig } from './config/concelier-config';

async function main(): Promise<void> {
  const config = loadConcelierConfig();
  await runService({
    service: CONCELIER_SERVICE_NAME,
    module: concelierRootModule({ verifier: jwksVerifierFor(config) }),
    config,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-concelier failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

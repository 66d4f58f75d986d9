import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { EXCITITOR_SERVICE_NAME, loadExcititorConfig } from './config/excititor-config';
import { excititorRootModule, jwksVerifierFor } from './excititor.module';

async function main(): Promise<void> {
  const config = loadExcititorConfig();
  await runService({
    service: EXCITITOR_SERVICE_NAME,
    module: excititorRootModule({ verifier: jwksVerifierFor(config) }),
    config,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-excititor failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

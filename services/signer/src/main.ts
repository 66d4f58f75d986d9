import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { loadSignerConfig, SIGNER_SERVICE_NAME } from './config/signer-config';
import { createSignerModule } from './signer.module';

async function main(): Promise<void> {
  const config = loadSignerConfig();
  await runService({ service: SIGNER_SERVICE_NAME, module: createSignerModule(), config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-signer failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

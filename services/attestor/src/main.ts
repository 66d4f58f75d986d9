import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { createAttestorModule } from './attestor.module';
import { ATTESTOR_SERVICE_NAME, loadAttestorConfig } from './config/attestor-config';

async function main(): Promise<void> {
  const config = loadAttestorConfig();
  await runService({ service: ATTESTOR_SERVICE_NAME, module: createAttestorModule(), config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-attestor failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

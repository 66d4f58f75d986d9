import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { loadScannerConfig, SCANNER_SERVICE_NAME } from './config/scanner-config';
import { createScannerModule } from './scanner.module';

async function main(): Promise<void> {
  const config = loadScannerConfig();
  await runService({ service: SCANNER_SERVICE_NAME, module: createScannerModule(), config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-scanner failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

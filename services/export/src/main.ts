import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { EXPORT_SERVICE_NAME, loadExportConfig } from './config/export-config';
import { createExportModule } from './export.module';

async function main(): Promise<void> {
  const config = loadExportConfig();
  await runService({ service: EXPORT_SERVICE_NAME, module: createExportModule(), config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-export failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

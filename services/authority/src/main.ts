import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { AuthorityModule } from './authority.module';
import { AUTHORITY_SERVICE_NAME, loadAuthorityConfig } from './config/load-authority-config';

async function main(): Promise<void> {
  const config = loadAuthorityConfig();
  await runService({ service: AUTHORITY_SERVICE_NAME, module: AuthorityModule, config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-authority failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

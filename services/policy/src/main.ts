import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { POLICY_SERVICE_NAME, loadPolicyConfig } from './config/policy-config';
import { createPolicyModule } from './policy.module';

async function main(): Promise<void> {
  const config = loadPolicyConfig();
  await runService({ service: POLICY_SERVICE_NAME, module: createPolicyModule(), config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-policy failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

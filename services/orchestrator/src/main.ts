import { Module } from '@nestjs/common';
import { ConfigError } from '@stella/config';
import { runService } from '@stella/platform';
import { loadOrchestratorConfig, ORCHESTRATOR_SERVICE_NAME } from './config/orchestrator-config';
import { OrchestratorModule } from './orchestrator.module';

@Module({ imports: [OrchestratorModule.forRoot()] })
class OrchestratorAppModule {}

async function main(): Promise<void> {
  const config = loadOrchestratorConfig();
  await runService({ service: ORCHESTRATOR_SERVICE_NAME, module: OrchestratorAppModule, config });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stella-orchestrator failed to start: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});

import { OrchestratorInitial1765000000000 } from './1765000000000-orchestrator-initial';

/** In order. Append only: a shipped migration is never edited. */
export const orchestratorMigrations = [OrchestratorInitial1765000000000];

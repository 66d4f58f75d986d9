// Side-effect-free entry: the module and its parts, for tests and tooling. `main.ts` starts the service.
export {
  ExcititorModule,
  excititorRootModule,
  jwksVerifierFor,
  type ExcititorModuleOptions,
} from './excititor.module';
export {
  excititorConfigSchema,
  loadExcititorConfig,
  issuerSchema,
  EXCITITOR_SERVICE_NAME,
  type ExcititorConfig,
  type IssuerConfig,
} from './config/excititor-config';
export { excititorMigrations } from './migrations';
export { VEX_STREAM } from './common/stream';
export {
  computeConsensus,
  type Consensus,
  type ConsensusStatus,
  type IssuedStatement,
} from './consensus/consensus';

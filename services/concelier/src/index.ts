// Side-effect-free entry: the module and its parts, for tests and tooling. `main.ts` starts the service.
export {
  ConcelierModule,
  concelierRootModule,
  jwksVerifierFor,
  type ConcelierModuleOptions,
} from './concelier.module';
export {
  concelierConfigSchema,
  loadConcelierConfig,
  CONCELIER_SERVICE_NAME,
  type ConcelierConfig,
} from './config/concelier-config';
export { concelierMigrations } from './migrations';
export { ADVISORY_STREAM } from './common/stream';

// Side-effect-free entry: the module and its parts, for tests and tooling. `main.ts` starts the service.
export { createScannerModule, type ScannerModuleOptions } from './scanner.module';
export {
  loadScannerConfig,
  scannerConfigSchema,
  SCANNER_SERVICE_NAME,
  type ScannerConfig,
} from './config/scanner-config';
export { scannerMigrations } from './migrations';
export { SCAN_STREAM, SCAN_JOB_CONSUMER, SCAN_SUBMIT_SUBJECT } from './common/streams';
export { ScannerGrpcServer, SCANNER_PROTO, PROTO_ROOT } from './grpc/grpc-server';

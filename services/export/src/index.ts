// The export service is a service, not a library: other packages never import it (eslint enforces it).
// This entry exists for its own tests, which boot it in-process.
export { createExportModule, type ExportModuleOptions } from './export.module';
export { exportConfigSchema, loadExportConfig, EXPORT_SERVICE_NAME, type ExportConfig } from './config/export-config';
export { exportMigrations } from './migrations';
export { DECISIONS_CONSUMER, PACKETS_CONSUMER, RELEASES_CONSUMER } from './events/streams';
export { RetentionSweeper } from './retention/retention-sweeper';

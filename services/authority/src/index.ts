// The authority is a service, not a library: other packages never import it (eslint enforces it).
// This entry exists for its own tests and the benchmark, which boot it in-process.
export { AuthorityModule } from './authority.module';
export { authorityConfigSchema, issuerOf, type AuthorityConfig } from './config/authority-config';
export { AUTHORITY_SERVICE_NAME, loadAuthorityConfig } from './config/load-authority-config';
export { authorityMigrations } from './migrations';
export {
  BootstrapService,
  BOOTSTRAP_ADMIN_CLIENT_ID,
  type BootstrapCredentials,
} from './bootstrap/bootstrap.service';
export { AUTHORITY_STREAM } from './events/authority-stream';

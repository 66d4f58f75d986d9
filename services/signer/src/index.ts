// The signer is a service, not a library: other packages never import it (eslint enforces it).
// This entry exists for its own tests and the benchmark, which boot it in-process.
export { createSignerModule, schemaOfSigner, type SignerModuleOptions } from './signer.module';
export {
  signerConfigSchema,
  loadSignerConfig,
  SIGNER_SERVICE_NAME,
  type SignerConfig,
} from './config/signer-config';
export { signerMigrations } from './migrations';
export { signSubject, signBatchSubject, AUTHORIZATION_HEADER, ERROR_HEADER } from './nats/sign-responder';
export { SIGN_SCOPE } from './http/sign.controller';
export { SIGNER_ADMIN_SCOPE } from './http/keys.controller';
export { chainProblemsAt, type ChainProblem } from './ca/x509';
export type { SignResult } from './signing/sign.usecase';
export type { Clock } from './common/clock';

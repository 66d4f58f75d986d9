// The attestor is a service, not a library: other packages never import it (eslint enforces it).
// This entry exists for its own tests and the benchmark, which boot it in-process.
export { createAttestorModule, DECISION_CONSUMER, type AttestorModuleOptions } from './attestor.module';
export {
  attestorConfigSchema,
  loadAttestorConfig,
  ATTESTOR_SERVICE_NAME,
  type AttestorConfig,
} from './config/attestor-config';
export { attestorMigrations } from './migrations';
export { DSSE_ENTRY_CONTENT_TYPE } from './attestations/record-attestation.usecase';
export type { SignerClient, SignedPayload, TokenProvider } from './decisions/signer-client';

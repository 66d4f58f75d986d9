// The orchestrator is a service, not a library: other packages never import it (eslint enforces it).
// This entry exists for its own tests, the benchmark and operators' tools, which boot it in-process.
export { OrchestratorModule, type OrchestratorModuleOptions } from './orchestrator.module';
export {
  loadOrchestratorConfig,
  orchestratorConfigSchema,
  ORCHESTRATOR_SERVICE_NAME,
  type OrchestratorConfig,
} from './config/orchestrator-config';
export { orchestratorMigrations } from './persistence/migrations';
export { ORCHESTRATOR_STREAM } from './events/orchestrator-stream';
export { GrpcServer, PROTO_ROOT, ORCHESTRATOR_PROTO } from './grpc/grpc-server';
export { ManualClock, systemClock, type Clock } from './common/clock';
export { Scope } from './common/scopes';
export {
  AUDIT_GENESIS_HASH,
  AuditChainVerifier,
  auditEntryHash,
  verifyAuditChain,
  type AuditRow,
  type AuditVerification,
  type AuditBreak,
} from './audit/audit-chain';
export { verifyStoredAuditChain } from './audit/audit-log.repository';
export type { Gate, GateContext, GateResult, EvidenceRef } from '@stella/gates';
export type { ImageResolver, ResolvedImage } from './releases/image-resolver';

// @stella/evidence: evidence packets and audit packs. Pure (no NestJS, no network): the export
// service builds them, `stella verify` and `stella replay` check them offline.
export { EvidenceError, isEvidenceError, type EvidenceErrorCode } from './errors';
export { assertSafePath, DEFAULT_READ_LIMITS, readArchive, writeDeterministicTar, type ArchiveEntry, type ReadLimits } from './tar';
export {
  AUDIT_PACK_V1,
  AuditPackManifestSchema,
  EVIDENCE_PACKET_V1,
  InclusionProofFileSchema,
  MANIFEST_PAYLOAD_TYPE,
  PacketManifestSchema,
  PacketPaths,
  type AttestationReference,
  type AuditPackManifest,
  type FileRole,
  type InclusionProofFile,
  type ManifestFile,
  type PacketManifest,
} from './manifest';
export type { ManifestSigner } from './sign';
export { buildAuditPack, buildDecisionPacket, evidencePath, type AuditPackInput, type BuiltArchive, type DecisionPacketInput } from './build';
export { verifyArchive, type Check, type VerifyOptions, type VerifyReport } from './verify';
export { diffJson, replayPacket, type ReplayReport } from './replay';

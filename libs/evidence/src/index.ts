// @stella/evidence: evidence packets and audit packs. Pure (no NestJS, no network): the export
// service builds them, `stella verify` and `stella replay` check them offline.
//
// Verification loads no schema library and not the gates: building and replaying (which need
// libs/gates) are loaded on first use, so a one-shot `stella verify` starts fast.
import type * as Build from './build';
import type * as Replay from './replay';

export { EvidenceError, isEvidenceError, type EvidenceErrorCode } from './errors';
export { assertSafePath, DEFAULT_READ_LIMITS, readArchive, writeDeterministicTar, type ArchiveEntry, type ReadLimits } from './tar';
export {
  AUDIT_PACK_V1,
  EVIDENCE_PACKET_V1,
  evidencePath,
  MANIFEST_PAYLOAD_TYPE,
  PacketPaths,
  parseAuditPackManifest,
  parseInclusionProofFile,
  parsePacketManifest,
  type AttestationReference,
  type AuditPackManifest,
  type FileRole,
  type InclusionProofFile,
  type ManifestFile,
  type PacketManifest,
  type Parsed,
} from './manifest';
export type { ManifestSigner } from './sign';
export type { AuditPackInput, BuiltArchive, DecisionPacketInput } from './build';
export type { ReplayReport } from './replay';
export { verifyArchive, type Check, type VerifyOptions, type VerifyReport } from './verify';

const build = () => require('./build') as typeof Build;
const replay = () => require('./replay') as typeof Replay;

export const buildDecisionPacket: typeof Build.buildDecisionPacket = (...args) => build().buildDecisionPacket(...args);
export const buildAuditPack: typeof Build.buildAuditPack = (...args) => build().buildAuditPack(...args);
export const policyReferenceOf: typeof Build.policyReferenceOf = (...args) => build().policyReferenceOf(...args);
export const replayPacket: typeof Replay.replayPacket = (...args) => replay().replayPacket(...args);
export const diffJson: typeof Replay.diffJson = (...args) => replay().diffJson(...args);

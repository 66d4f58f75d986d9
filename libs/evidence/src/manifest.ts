import { z } from 'zod';

/** `_type` of an evidence packet manifest and of an audit pack manifest (never change their meaning). */
export const EVIDENCE_PACKET_V1 = 'https://stella-ops.dev/evidence-packet/v1';
export const AUDIT_PACK_V1 = 'https://stella-ops.dev/audit-pack/v1';
/** DSSE payloadType of the signed manifests. */
export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.stella.evidence-manifest+json';

/** Where each part of a packet lives. */
export const PacketPaths = {
  manifest: 'manifest.json',
  manifestSignature: 'manifest.dsse.json',
  record: 'decision/record.json',
  envelope: 'decision/envelope.dsse.json',
  inputs: 'decision/inputs.json',
  releaseManifest: 'release/manifest.json',
  policyBundle: 'policy/bundle.json',
  approvals: 'approvals/approvals.json',
  attestations: 'attestations/references.json',
  inclusionProof: 'log/inclusion-proof.json',
  checkpoint: 'log/checkpoint.txt',
  ca: 'certs/ca.pem',
  decisionSigner: 'certs/decision-signer.pem',
  manifestSigner: 'certs/manifest-signer.pem',
} as const;

export type FileRole =
  | 'decision-record'
  | 'decision-envelope'
  | 'decision-inputs'
  | 'release-manifest'
  | 'policy-bundle'
  | 'policy-gate'
  | 'gate-evidence'
  | 'approvals'
  | 'attestation-references'
  | 'inclusion-proof'
  | 'checkpoint'
  | 'certificate'
  | 'packet';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const utc = z.iso.datetime({ offset: false });

export const ManifestFileSchema = z.strictObject({
  path: z.string().min(1).max(255),
  sha256: digest,
  size: z.int().min(0),
  role: z.string().min(1).max(64),
  /** For gate evidence: which gate and which of its evidence names the file holds. */
  gate: z.string().min(1).max(64).optional(),
  evidence: z.string().min(1).max(512).optional(),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

export const PacketManifestSchema = z.strictObject({
  _type: z.literal(EVIDENCE_PACKET_V1),
  tenant: z.string().min(1),
  decisionId: z.string().min(1),
  environment: z.string().min(1),
  verdict: z.enum(['allow', 'deny']),
  releaseManifestDigest: digest,
  recordDigest: digest,
  /** When the decision was signed and logged: the instant both certificate chains must be valid at. */
  signingTime: utc,
  log: z.strictObject({ origin: z.string().min(1), index: z.int().min(0), treeSize: z.int().min(1) }),
  files: z.array(ManifestFileSchema).max(10_000),
});
export type PacketManifest = z.infer<typeof PacketManifestSchema>;

export const AuditPackManifestSchema = z.strictObject({
  _type: z.literal(AUDIT_PACK_V1),
  tenant: z.string().min(1),
  environment: z.string().min(1),
  from: utc,
  to: utc,
  /** When the pack's manifest was signed: the instant its certificate chain must be valid at. */
  signingTime: utc,
  decisions: z.array(z.strictObject({ decisionId: z.string().min(1), evaluatedAt: utc, verdict: z.enum(['allow', 'deny']), packet: z.string().min(1), sha256: digest })).max(100_000),
  files: z.array(ManifestFileSchema).max(100_010),
});
export type AuditPackManifest = z.infer<typeof AuditPackManifestSchema>;

export const InclusionProofFileSchema = z.strictObject({
  logIndex: z.int().min(0),
  treeSize: z.int().min(1),
  /** Base64 of each proof hash, leaf to root. */
  hashes: z.array(z.string()).max(64),
});
export type InclusionProofFile = z.infer<typeof InclusionProofFileSchema>;

export interface AttestationReference {
  attestationId: string;
  predicateType: string;
  subjectDigests: string[];
  envelopeDigest: string;
  logIndex: number;
}

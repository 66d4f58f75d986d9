import { serializeEnvelope } from '@stella/attest';
import { canonicalize, sha256Digest, type Sha256Digest } from '@stella/canonical';
import { parseDecisionInputs, replayDecision, type DecisionInputsV1, type Gate } from '@stella/gates';
import { isPolicyGateReference, policyBodiesProblem, type PolicyBodies, type PolicyGateReference } from '@stella/policy-engine';
import { EvidenceError } from './errors';
import { replayRegistry } from './gates';
import {
  AUDIT_PACK_V1,
  EVIDENCE_PACKET_V1,
  MANIFEST_PAYLOAD_TYPE,
  evidencePath,
  PacketPaths,
  type AttestationReference,
  type AuditPackManifest,
  type FileRole,
  type InclusionProofFile,
  type ManifestFile,
  type PacketManifest,
} from './manifest';
import type { ManifestSigner } from './sign';
import { writeDeterministicTar, type ArchiveEntry } from './tar';

export interface DecisionPacketInput {
  tenant: string;
  /** The decision-record predicate as the orchestrator recorded it. */
  record: Record<string, unknown> & { decisionId: string; environment: string; verdict: 'allow' | 'deny'; releaseManifestDigest: string; policyHash: string; approvals: unknown[]; evaluatedAt: string };
  /** The decision inputs document (libs/gates); absent for decisions recorded before it existed. */
  inputs?: DecisionInputsV1;
  /** The exact bytes of the transparency-log entry: the DSSE envelope over the decision statement. */
  envelopeBytes: Buffer;
  /** [signing certificate, root CA] of the decision signature. */
  certificateChain: readonly string[];
  releaseManifest: unknown;
  attestations: readonly AttestationReference[];
  inclusionProof: InclusionProofFile;
  /** The signed checkpoint note the proof is for. */
  checkpoint: string;
  logOrigin: string;
  /** When the decision was signed and logged (RFC 3339 UTC). */
  signingTime: string;
  /** Evaluators beyond the built-ins (e.g. the policy gate), to regenerate the gates' evidence documents. */
  extraGates?: readonly Gate[];
  /**
   * The policy source and canonical input document of the evaluation the `policy` gate's record
   * references (fetched from the policy service). Required when it records a reference; checked
   * against its policyHash and inputDigest, and packed as policy/source.yaml and policy/input.json.
   */
  policyBodies?: PolicyBodies;
}

/** The `policy` gate's recorded reference in a decision's inputs, if it records one. */
export function policyReferenceOf(inputs: DecisionInputsV1): PolicyGateReference | undefined {
  const recorded = inputs.gates.find((g) => g.name === 'policy')?.recorded;
  return isPolicyGateReference(recorded) ? recorded : undefined;
}

export interface BuiltArchive {
  archive: Buffer;
  sha256: Sha256Digest;
  manifest: PacketManifest | AuditPackManifest;
}

class Files {
  readonly entries: ArchiveEntry[] = [];
  readonly listed: ManifestFile[] = [];

  add(path: string, data: Buffer | string, role: FileRole, extra: { gate?: string; evidence?: string } = {}): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.entries.push({ path, data: bytes });
    this.listed.push({ path, sha256: sha256Digest(bytes), size: bytes.length, role, ...extra });
  }

  sortedListing(): ManifestFile[] {
    return [...this.listed].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  }
}

/**
 * The evidence packet of one decision: a deterministic tar holding the manifest (every file with
 * its sha256, signed as manifest.dsse.json), the record and its DSSE envelope, the decision inputs
 * and each gate's evidence documents, the release manifest, the policy bundle, approvals,
 * references to the release's attestations, the inclusion proof and checkpoint, and the
 * certificate chains. Same decision, same key (Ed25519): same bytes.
 */
export async function buildDecisionPacket(input: DecisionPacketInput, signer: ManifestSigner): Promise<BuiltArchive> {
  const r = input.record;
  const files = new Files();
  files.add(PacketPaths.record, canonicalize(r), 'decision-record');
  files.add(PacketPaths.envelope, input.envelopeBytes, 'decision-envelope');
  files.add(PacketPaths.releaseManifest, canonicalize(input.releaseManifest), 'release-manifest');
  files.add(PacketPaths.approvals, canonicalize(r.approvals), 'approvals');
  files.add(PacketPaths.attestations, canonicalize([...input.attestations].sort((a, b) => a.logIndex - b.logIndex)), 'attestation-references');
  files.add(PacketPaths.inclusionProof, canonicalize(input.inclusionProof), 'inclusion-proof');
  files.add(PacketPaths.checkpoint, input.checkpoint, 'checkpoint');
  files.add(PacketPaths.decisionSigner, input.certificateChain[0]!, 'certificate');
  files.add(PacketPaths.ca, input.certificateChain[input.certificateChain.length - 1]!, 'certificate');
  if (input.inputs !== undefined) {
    const inputs = parseDecisionInputs(input.inputs);
    files.add(PacketPaths.inputs, canonicalize(inputs), 'decision-inputs');
    const context = inputs.context;
    // The policy bundle the record's policyHash pins (libs/gates policyHashOf).
    files.add(
      PacketPaths.policyBundle,
      canonicalize({ environment: context.environment.name, policy: context.environment.policy, path: inputs.path }),
      'policy-bundle',
    );
    for (const gate of inputs.gates) {
      if (gate.recorded !== undefined && gate.name === 'policy') files.add('policy/policy-gate.json', canonicalize(gate.recorded), 'policy-gate');
    }
    const reference = policyReferenceOf(inputs);
    if (reference !== undefined) {
      // Never a packet whose policy evidence is not the evaluated one: refuse, the caller retries.
      const bodies = input.policyBodies;
      if (bodies === undefined) {
        throw new EvidenceError('POLICY_BODIES_MISSING', `decision ${r.decisionId}: the policy source and input of evaluation ${reference.evaluationId} were not given`, { evaluationId: reference.evaluationId });
      }
      const problem = policyBodiesProblem(reference, bodies);
      if (problem !== undefined) throw new EvidenceError('POLICY_BODIES_MISMATCH', `decision ${r.decisionId}: ${problem}`, { evaluationId: reference.evaluationId });
      files.add(PacketPaths.policySource, bodies.policySource, 'policy-source', { gate: 'policy' });
      files.add(PacketPaths.policyInput, bodies.inputDocument, 'policy-input', { gate: 'policy' });
    }
    const policyBodies = input.policyBodies;
    // Each gate's evidence documents, regenerated from the recorded inputs by the recorded evaluators.
    try {
      const replayed = await replayDecision(inputs, replayRegistry(input.extraGates ?? [], policyBodies ? () => policyBodies : undefined));
      for (const result of replayed.results) {
        result.evidence.forEach((e, i) => files.add(evidencePath(result.name, i, e.name), canonicalize(e.document), 'gate-evidence', { gate: result.name, evidence: e.name }));
      }
    } catch {
      // An evaluator this build lacks: the packet goes without those documents and `stella verify` says so.
    }
  }
  const manifest: PacketManifest = {
    _type: EVIDENCE_PACKET_V1,
    tenant: input.tenant,
    decisionId: r.decisionId,
    environment: r.environment,
    verdict: r.verdict,
    releaseManifestDigest: r.releaseManifestDigest,
    recordDigest: sha256Digest(canonicalize(r)),
    signingTime: input.signingTime,
    log: { origin: input.logOrigin, index: input.inclusionProof.logIndex, treeSize: input.inclusionProof.treeSize },
    files: [],
  };
  return seal(files, manifest, signer);
}

/**
 * Lists every file in the manifest, signs the manifest's canonical bytes, and writes the archive.
 * The signature layer (manifest.json, manifest.dsse.json, certs/manifest-signer.pem) is not listed:
 * the signature covers the manifest, and the signing certificate is checked against the pinned CA.
 */
async function seal<M extends PacketManifest | AuditPackManifest>(files: Files, manifest: M, signer: ManifestSigner): Promise<BuiltArchive> {
  const complete = { ...manifest, files: files.sortedListing() };
  const manifestBytes = Buffer.from(canonicalize(complete), 'utf8');
  const signed = await signer.sign(MANIFEST_PAYLOAD_TYPE, manifestBytes);
  const entries: ArchiveEntry[] = [
    ...files.entries,
    { path: PacketPaths.manifest, data: manifestBytes },
    { path: PacketPaths.manifestSignature, data: Buffer.from(serializeEnvelope(signed.envelope), 'utf8') },
    { path: PacketPaths.manifestSigner, data: Buffer.from(signed.certificateChain[0]!, 'utf8') },
  ];
  const archive = await writeDeterministicTar(entries);
  return { archive, sha256: sha256Digest(archive), manifest: complete };
}

export interface AuditPackInput {
  tenant: string;
  environment: string;
  from: string;
  to: string;
  signingTime: string;
  /** The decisions' packets, each as stored (their bytes are included unchanged). */
  packets: ReadonlyArray<{ decisionId: string; evaluatedAt: string; verdict: 'allow' | 'deny'; archive: Buffer }>;
  /** The CA every packet's chains end at (certs/ca.pem of the pack). */
  caPem: string;
}

/**
 * An audit pack: every decision packet of an environment in a time range, in one deterministic
 * archive (packets/<decisionId>.tar, sorted), with a signed manifest listing each with its sha256.
 */
export async function buildAuditPack(input: AuditPackInput, signer: ManifestSigner): Promise<BuiltArchive> {
  const files = new Files();
  const decisions = [...input.packets].sort((a, b) => (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0));
  for (const packet of decisions) files.add(`packets/${packet.decisionId}.tar`, packet.archive, 'packet');
  files.add(PacketPaths.ca, input.caPem, 'certificate');
  const manifest: AuditPackManifest = {
    _type: AUDIT_PACK_V1,
    tenant: input.tenant,
    environment: input.environment,
    from: input.from,
    to: input.to,
    signingTime: input.signingTime,
    decisions: decisions.map((p) => ({
      decisionId: p.decisionId,
      evaluatedAt: p.evaluatedAt,
      verdict: p.verdict,
      packet: `packets/${p.decisionId}.tar`,
      sha256: sha256Digest(p.archive),
    })),
    files: [],
  };
  return seal(files, manifest, signer);
}

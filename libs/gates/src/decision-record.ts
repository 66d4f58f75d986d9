import { DecisionRecordV1Schema, type DecisionRecordV1 } from '@stella/attest';
import { canonicalize, contentId, digestOf, type Sha256Digest } from '@stella/canonical';
import type { ApprovalFact, EvidenceRef, GateOutcome, GatePath, GatePolicy } from './gate';

/**
 * Version of the decision logic (verdict rules, record layout; each gate has its own engine version). Part of every record so a
 * replay knows which rules produced it; bump it when a gate's meaning changes.
 */
export const DECISION_ENGINE_VERSION = 'stella-orchestrator-gates/1';

/** One gate's outcome as the decision records it (evidence by digest). */
export interface GateEvaluation {
  name: string;
  result: GateOutcome;
  reasons: string[];
  evidence: EvidenceRef[];
}

export interface DecisionInput<P extends GatePolicy = GatePolicy> {
  tenant: string;
  release: { id: string; name: string; version: string };
  environment: { name: string; policy: P };
  path: Pick<GatePath, 'environments' | 'allowSkip'>;
  verdict: 'allow' | 'deny';
  reasons: string[];
  gates: GateEvaluation[];
  approvals: readonly ApprovalFact[];
  evaluatedAt: string;
}

export interface DecisionRecord {
  /** = record.decisionId: `dec_` + 32 hex of the digest of the record without its id. */
  id: string;
  /** sha256 of the complete record's canonical JSON (what gets signed). */
  digest: Sha256Digest;
  record: DecisionRecordV1;
  /** The record's canonical JSON, stored as is. */
  canonical: string;
}

/** The policy a decision was made under: environment policy and promotion path, canonical. */
export function policyHashOf(input: Pick<DecisionInput, 'environment' | 'path'>): Sha256Digest {
  return digestOf({
    environment: input.environment.name,
    policy: input.environment.policy,
    path: { environments: input.path.environments, allowSkip: input.path.allowSkip },
  });
}

/**
 * Builds the decision-record predicate v1 (docs/schemas/decision-record.predicate.v1.json). The
 * id is derived from the content, so the same decision always has the same id; the record is
 * validated against the predicate schema before it is stored.
 */
export function buildDecisionRecord(input: DecisionInput): DecisionRecord {
  const body = {
    releaseManifestDigest: input.release.id,
    release: { name: input.release.name, version: input.release.version },
    environment: input.environment.name,
    tenant: input.tenant,
    verdict: input.verdict,
    reasons: input.reasons.map(clip),
    gates: input.gates.map((g) => ({
      name: g.name,
      // The predicate knows pass/fail/warn: a requirement still pending when the decision is made is not met.
      result: g.result === 'pending' ? ('fail' as const) : g.result,
      reasons: g.result === 'pending' ? g.reasons.map((r) => clip(`not satisfied: ${r}`)) : g.reasons.map(clip),
      inputs: g.evidence.map((e) => ({ name: e.name, digest: e.digest })),
    })),
    policyHash: policyHashOf(input),
    approvals: input.approvals.map((a) => ({
      identity: a.approver,
      time: a.time,
      ...(a.comment === undefined ? {} : { comment: a.comment }),
    })),
    evaluatedAt: input.evaluatedAt,
    engineVersion: DECISION_ENGINE_VERSION,
  };
  const id = contentId('dec', body);
  const record = DecisionRecordV1Schema.parse({ decisionId: id, ...body });
  return { id, digest: digestOf(record), record, canonical: canonicalize(record) };
}

function clip(reason: string): string {
  return reason.length <= 2048 ? reason : `${reason.slice(0, 2045)}...`;
}

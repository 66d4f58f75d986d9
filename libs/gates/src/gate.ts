import { digestOf } from '@stella/canonical';
import type { Sha256Digest } from '@stella/canonical';
import type { FreezeWindow } from './freeze-windows';

/**
 * pass / warn: the gate allows (warn with reasons worth recording); fail: it denies;
 * pending: it cannot decide yet (approvals, or a scan still running) and the promotion waits.
 */
export type GateOutcome = 'pass' | 'fail' | 'warn' | 'pending';

/** Evidence a gate looked at, pinned by the digest of its canonical content. */
export interface EvidenceRef {
  name: string;
  digest: Sha256Digest;
}

/** Evidence with the document it pins: `digest === digestOf(document)` (what an evidence packet stores). */
export interface GateEvidence extends EvidenceRef {
  document: unknown;
}

/** Refusal codes the built-in gates answer a fail with (the orchestrator's error catalogue holds them). */
export type BuiltInRefusalCode = 'ENVIRONMENT_FROZEN' | 'PROMOTION_SKIPS_ENVIRONMENT';

export interface GateResult<Code extends string = string> {
  result: GateOutcome;
  reasons: string[];
  evidence: GateEvidence[];
  /** For a fail: the error code and facts the caller is refused with (default PROMOTION_DENIED). */
  refusal?: { code: Code; details: Record<string, unknown> };
  /**
   * Inputs the gate obtained beyond its context (e.g. the policy gate's policy source and input
   * document). Recorded with the decision and handed back on replay, so the gate re-runs with no I/O.
   */
  recorded?: unknown;
}

export interface ApprovalFact {
  approver: string;
  time: string;
  comment?: string;
}

/** What the gates read of an environment's policy; the whole policy travels (it is hashed). */
export interface GatePolicy {
  approvals: { required: number; approverRoles?: readonly string[] };
  freezeWindows: readonly FreezeWindow[];
  gates: readonly string[];
  [field: string]: unknown;
}

export interface GatePath {
  environments: string[];
  allowSkip: boolean;
  version?: number;
}

/** Everything a gate may look at, loaded before evaluation (gates do no I/O of their own unless they must). */
export interface GateContext<P extends GatePolicy = GatePolicy> {
  tenant: string;
  now: Date;
  promotion: {
    id: string;
    kind: 'promotion' | 'rollback';
    requestedBy: string;
    breakGlass?: { by: string; reason: string; at: string };
  };
  release: { id: string; name: string; version: string; createdBy: string };
  environment: { name: string; policy: P; policyDigest: string };
  path: GatePath;
  approvals: readonly ApprovalFact[];
  /** Environments where this release was allowed or deployed, with the promotion that did it. */
  priorSuccesses: ReadonlyArray<{ environment: string; promotionId: string; state: string }>;
}

/**
 * A promotion gate evaluator: a pure function of its context (and of what it recorded, on
 * replay). Built in: approvals, freeze-window, previous-environment. Policy, findings and VEX
 * gates plug in through the same interface and the registry, keyed by name + engine version.
 */
export interface Gate {
  readonly name: string;
  /** Bump when the gate's meaning changes: replay picks the evaluator a decision recorded. */
  readonly engineVersion: string;
  evaluate(context: GateContext, recorded?: unknown): Promise<GateResult>;
}

/** Evidence pinned by the digest of its canonical JSON, with the document kept for evidence packets. */
export function evidenceOf(name: string, document: unknown): GateEvidence {
  return { name, digest: digestOf(document), document };
}

import type { Sha256Digest } from '@stella/canonical';
import type { OrchestratorErrorCode } from '../../common/errors';
import type { EnvironmentPolicy, PromotionPath } from '../../environments/environment.model';

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

export interface GateResult {
  result: GateOutcome;
  reasons: string[];
  evidence: EvidenceRef[];
  /** For a fail: the error code and facts the caller is refused with (default PROMOTION_DENIED). */
  refusal?: { code: OrchestratorErrorCode; details: Record<string, unknown> };
}

export interface ApprovalFact {
  approver: string;
  time: string;
  comment?: string;
}

/** Everything a gate may look at, loaded before evaluation (gates do no I/O of their own unless they must). */
export interface GateContext {
  tenant: string;
  now: Date;
  promotion: {
    id: string;
    kind: 'promotion' | 'rollback';
    requestedBy: string;
    breakGlass?: { by: string; reason: string; at: string };
  };
  release: { id: string; name: string; version: string; createdBy: string };
  environment: { name: string; policy: EnvironmentPolicy; policyDigest: string };
  path: PromotionPath;
  approvals: readonly ApprovalFact[];
  /** Environments where this release was allowed or deployed, with the promotion that did it. */
  priorSuccesses: ReadonlyArray<{ environment: string; promotionId: string; state: string }>;
}

/**
 * A promotion gate. Built in: approvals, freeze-window, previous-environment. Policy, findings
 * and VEX gates plug in through the GATES provider without changing the promotion code.
 */
export interface Gate {
  readonly name: string;
  evaluate(context: GateContext): Promise<GateResult>;
}

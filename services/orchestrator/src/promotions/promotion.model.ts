import { PROMOTION_STATES, type PromotionStateName } from '@stella/contracts';
import { OrchestratorError } from '../common/errors';
import type { EvidenceRef, GateOutcome } from '@stella/gates';

export type PromotionState = PromotionStateName;
export { PROMOTION_STATES };

/** States in which a promotion still holds its (release, environment) pair. */
export const OPEN_STATES: readonly PromotionState[] = ['requested', 'evaluating', 'awaiting_approval', 'approved', 'deploying'];
export const FINAL_STATES: readonly PromotionState[] = ['deployed', 'rejected', 'failed', 'cancelled'];
/** States that count as "the release made it into that environment" for the next one. */
export const SUCCESS_STATES: readonly PromotionState[] = ['approved', 'deploying', 'deployed'];

/**
 * The state machine. requested -> evaluating -> awaiting_approval -> approved -> deploying ->
 * deployed, or rejected / failed / cancelled. Every change goes through `assertTransition`.
 */
const TRANSITIONS: Readonly<Record<PromotionState, readonly PromotionState[]>> = {
  requested: ['evaluating'],
  evaluating: ['awaiting_approval', 'approved', 'rejected'],
  awaiting_approval: ['approved', 'rejected', 'cancelled'],
  approved: ['deploying', 'cancelled'],
  deploying: ['deployed', 'failed'],
  deployed: [],
  rejected: [],
  failed: [],
  cancelled: [],
};

export function canTransition(from: PromotionState | null, to: PromotionState): boolean {
  if (from === null) return to === 'requested';
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: PromotionState | null, to: PromotionState): void {
  if (!canTransition(from, to)) {
    throw new OrchestratorError('INVALID_STATE', `a promotion cannot go from ${from ?? '(new)'} to ${to}`, { from, to });
  }
}

export function isFinal(state: PromotionState): boolean {
  return FINAL_STATES.includes(state);
}

export interface GateEvaluation {
  name: string;
  result: GateOutcome;
  reasons: string[];
  evidence: EvidenceRef[];
}

export interface EvaluationSummary {
  evaluatedAt: string;
  verdict: 'allow' | 'deny' | 'pending';
  gates: GateEvaluation[];
}

export interface TransitionView {
  seq: number;
  from: PromotionState | null;
  to: PromotionState;
  at: string;
  actor: string;
  reason?: string;
  decisionId?: string;
}

export interface ApprovalView {
  approver: string;
  time: string;
  comment?: string;
}

export interface PromotionView {
  id: string;
  kind: 'promotion' | 'rollback';
  state: PromotionState;
  release: { id: string; name: string; version: string };
  environment: string;
  requestedBy: string;
  requestedAt: string;
  comment?: string;
  breakGlass?: { by: string; reason: string; at: string };
  decisionId?: string;
  lastEvaluation?: EvaluationSummary;
  approvals: ApprovalView[];
  transitions: TransitionView[];
  updatedAt: string;
}

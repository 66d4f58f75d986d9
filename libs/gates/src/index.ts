// @stella/gates: promotion gates as pure functions (no NestJS, no I/O), shared by the
// orchestrator (live decisions), the export service and `stella replay` (re-running them).
export {
  evidenceOf,
  type ApprovalFact,
  type BuiltInRefusalCode,
  type EvidenceRef,
  type Gate,
  type GateContext,
  type GateEvidence,
  type GateOutcome,
  type GatePath,
  type GatePolicy,
  type GateResult,
} from './gate';
export { GatesError, isGatesError, type GatesErrorCode } from './errors';
export { activeFreeze, cronExpression, freezeWindowSchema, type ActiveFreeze, type FreezeWindow } from './freeze-windows';
export { ApprovalsGate } from './builtin/approvals.gate';
export { FreezeWindowGate } from './builtin/freeze-window.gate';
export { PreviousEnvironmentGate } from './builtin/previous-environment.gate';
export { builtInGates, createGateRegistry, GateEvaluatorRegistry } from './registry';
export {
  decisionReasons,
  evaluateGates,
  gateEvaluations,
  verdictOf,
  type GateLookup,
  type NamedGateResult,
  type Verdict,
} from './evaluate';
export {
  buildDecisionRecord,
  DECISION_ENGINE_VERSION,
  policyHashOf,
  type DecisionInput,
  type DecisionRecord,
  type GateEvaluation,
} from './decision-record';
export {
  DECISION_INPUTS_V1,
  DECISION_INPUTS_V1_SCHEMA_ID,
  decisionInputsV1JsonSchema,
  DecisionInputsV1Schema,
  decisionInputsDigest,
  decisionInputsOf,
  gateContextOf,
  parseDecisionInputs,
  replayDecision,
  type DecisionInputsV1,
  type ReplayedDecision,
} from './decision-inputs';

// The decision-record builder lives in libs/gates (shared with the export service and `stella replay`).
export {
  buildDecisionRecord,
  DECISION_ENGINE_VERSION,
  policyHashOf,
  type DecisionInput,
  type DecisionRecord,
} from '@stella/gates';

export * from './types';
export { PolicyError, isPolicyError } from './errors';
export { compilePolicy } from './compile';
export { evaluatePolicy, verdictBytes, inputDigest } from './evaluate';
export { diffFindings, releaseFindingSet } from './delta';
export { validatePolicyInput, policyInputSchema } from './input-schema';
export { prepareInput, isPreparedInput, type PreparedInput } from './prepared-input';
export { policyDocumentSchema } from './document-schema';
export { CEL_FUNCTIONS } from './cel';
export {
  PolicyGate,
  POLICY_GATE_NAME,
  POLICY_GATE_VERSION,
  evaluationDocument,
  evaluationIdOf,
  gateResultOf,
  type PolicyEvaluationClient,
  type PolicyEvaluationRequest,
  type PolicyEvaluationResponse,
  type PolicyGateContext,
  type PolicyGateRecord,
  type PolicyGateResult,
} from './policy-gate';
export { policyInputJsonSchema, policyDocumentJsonSchema } from './json-schema';

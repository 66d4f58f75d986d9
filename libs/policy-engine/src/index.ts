export * from './types';
export { PolicyError, isPolicyError } from './errors';
export { compilePolicy } from './compile';
export { evaluatePolicy, verdictBytes, inputDigest } from './evaluate';
export { diffFindings, releaseFindingSet } from './delta';
export { validatePolicyInput, policyInputSchema } from './input-schema';
export { prepareInput, prepareComponents, isPreparedInput, type PreparedInput } from './prepared-input';
export { policyDocumentSchema } from './document-schema';
export { CEL_FUNCTIONS } from './cel';
export {
  PolicyGate,
  POLICY_GATE_NAME,
  POLICY_GATE_VERSION,
  evaluationDocument,
  evaluationIdOf,
  gateResultOf,
  isPolicyGateReference,
  policyBodiesProblem,
  type PolicyBodies,
  type PolicyBodySource,
  type PolicyGateInlineRecord,
  type PolicyGateOptions,
  type PolicyGateReference,
  type PolicyEvaluationClient,
  type PolicyEvaluationRequest,
  type PolicyEvaluationResponse,
  type PolicyGateContext,
  type PolicyGateRecord,
  type PolicyGateResult,
} from './policy-gate';
export { policyInputJsonSchema, policyDocumentJsonSchema, policyVerdictJsonSchema } from './json-schema';
export { policyVerdictSchema, validatePolicyVerdict } from './verdict-schema';

// The implementations match the signatures types.ts publishes.
import type * as T from './types';
import { compilePolicy as _c } from './compile';
import { evaluatePolicy as _e, verdictBytes as _v, inputDigest as _i } from './evaluate';
import { diffFindings as _d, releaseFindingSet as _r } from './delta';
import { validatePolicyInput as _vi } from './input-schema';
const _api: {
  compilePolicy: T.CompilePolicy;
  evaluatePolicy: T.EvaluatePolicy;
  verdictBytes: T.VerdictBytes;
  inputDigest: T.InputDigest;
  releaseFindingSet: T.ReleaseFindingSet;
  diffFindings: T.DiffFindings;
  validatePolicyInput: T.ValidatePolicyInput;
} = {
  compilePolicy: _c,
  evaluatePolicy: _e,
  verdictBytes: _v,
  inputDigest: _i,
  releaseFindingSet: _r,
  diffFindings: _d,
  validatePolicyInput: _vi,
};
void _api;

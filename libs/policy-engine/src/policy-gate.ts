// The promotion gate named `policy` (libs/gates' Gate interface, matched structurally so this
// library stays free of the gates package): live, it asks the policy service for an evaluation;
// on replay it re-runs the recorded policy source over the recorded canonical input, with no I/O.
import { digestOf, sha256Digest, type Sha256Digest } from '@stella/canonical';
import { compilePolicy } from './compile';
import { evaluatePolicy, verdictBytes } from './evaluate';
import type { CompiledPolicy, PolicyInput, PolicyVerdict } from './types';
import { POLICY_ENGINE_VERSION } from './types';

export const POLICY_GATE_NAME = 'policy';
/** Bumped when the gate's mapping of a verdict to a gate result changes. */
export const POLICY_GATE_VERSION = `policy-gate/1+${POLICY_ENGINE_VERSION}`;

/** What the gate reads of the orchestrator's gate context. */
export interface PolicyGateContext {
  tenant: string;
  now: Date;
  release: { id: string; name: string; version: string; createdBy: string };
  environment: { name: string };
  approvals: ReadonlyArray<{ approver: string; time: string; comment?: string }>;
}

export interface PolicyGateResult {
  result: 'pass' | 'fail' | 'warn' | 'pending';
  reasons: string[];
  evidence: Array<{ name: string; digest: Sha256Digest; document: unknown }>;
  recorded?: unknown;
}

export interface PolicyEvaluationRequest {
  tenant: string;
  release: PolicyGateContext['release'];
  environment: string;
  approvals: PolicyGateContext['approvals'];
  /** ISO 8601 UTC: the decision's clock, recorded in the input. */
  evaluationTime: string;
}

/** The policy service's answer, or why there is none (the gate then fails closed: pending). */
export type PolicyEvaluationResponse =
  | {
      kind: 'evaluated';
      evaluationId: string;
      /** The exact policy text the service evaluated. */
      policySource: string;
      /** RFC 8785 canonical JSON of the input document. */
      inputDocument: string;
    }
  | { kind: 'unavailable'; reason: string };

/** Port to the policy service (the orchestrator implements it over HTTP with a service token). */
export interface PolicyEvaluationClient {
  evaluate(request: PolicyEvaluationRequest): Promise<PolicyEvaluationResponse>;
}

/** What a decision records of the policy gate: enough to re-run it offline. */
export type PolicyGateRecord =
  | { kind: 'evaluated'; evaluationId: string; policySource: string; inputDocument: string }
  | { kind: 'unavailable'; reason: string };

/** The document an evaluation's id is the digest of (the policy service stores evaluations under it). */
export function evaluationDocument(verdict: PolicyVerdict, verdictDigest: string) {
  return {
    schema: 'stella.policy.evaluation/v1',
    engineVersion: verdict.engineVersion,
    policyHash: verdict.policyHash,
    inputDigest: verdict.inputDigest,
    verdictDigest,
  };
}

export function evaluationIdOf(verdict: PolicyVerdict, verdictDigest: string): string {
  return digestOf(evaluationDocument(verdict, verdictDigest));
}

/** A verdict as a gate result: allow -> pass (warn when a gate or rule warned), deny -> fail, pending -> pending. */
export function gateResultOf(
  policy: CompiledPolicy,
  input: PolicyInput,
  verdict: PolicyVerdict,
): PolicyGateResult {
  const bytes = verdictBytes(verdict);
  const warned =
    verdict.gates.some((g) => g.outcome === 'warn') || verdict.rules.some((r) => r.outcome === 'warn');
  const result =
    verdict.verdict === 'deny'
      ? 'fail'
      : verdict.verdict === 'pending'
        ? 'pending'
        : warned
          ? 'warn'
          : 'pass';
  return {
    result,
    reasons: [verdict.summary],
    evidence: [
      { name: 'policy', digest: policy.policyHash as Sha256Digest, document: policy.document },
      {
        name: 'policy-evaluation',
        digest: digestOf(evaluationDocument(verdict, sha256Digest(bytes))),
        document: evaluationDocument(verdict, sha256Digest(bytes)),
      },
      { name: 'policy-input', digest: verdict.inputDigest as Sha256Digest, document: input },
    ],
  };
}

const CACHE_SIZE = 32;

/**
 * The `policy` gate. Without a client it can only replay (what `stella replay` and the export
 * service register); with one it evaluates live through the policy service.
 */
export class PolicyGate {
  readonly name = POLICY_GATE_NAME;
  readonly engineVersion = POLICY_GATE_VERSION;
  private readonly compiled = new Map<string, CompiledPolicy>();

  constructor(private readonly client?: PolicyEvaluationClient) {}

  async evaluate(context: PolicyGateContext, recorded?: unknown): Promise<PolicyGateResult> {
    const record = recorded === undefined ? await this.live(context) : (recorded as PolicyGateRecord);
    if (record.kind === 'unavailable')
      return {
        result: 'pending',
        reasons: [`policy not evaluated: ${record.reason}`],
        evidence: [],
        recorded: record,
      };
    const policy = this.compile(record.policySource);
    const input = JSON.parse(record.inputDocument) as PolicyInput;
    const verdict = evaluatePolicy(policy, input);
    return { ...gateResultOf(policy, input, verdict), recorded: record };
  }

  private async live(context: PolicyGateContext): Promise<PolicyGateRecord> {
    if (!this.client)
      return { kind: 'unavailable', reason: 'no policy service configured for live evaluation' };
    try {
      return await this.client.evaluate({
        tenant: context.tenant,
        release: context.release,
        environment: context.environment.name,
        approvals: context.approvals,
        evaluationTime: context.now.toISOString(),
      });
    } catch (error) {
      return { kind: 'unavailable', reason: `policy service: ${(error as Error).message}` };
    }
  }

  private compile(source: string): CompiledPolicy {
    const cached = this.compiled.get(source);
    if (cached) return cached;
    const policy = compilePolicy(source);
    this.compiled.set(source, policy);
    if (this.compiled.size > CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value!);
    return policy;
  }
}

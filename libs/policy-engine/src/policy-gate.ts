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

/**
 * What a decision records of the policy gate: references, not bodies, so a decision stays small
 * whatever the release's size. The policy source and the canonical input document stay in the
 * policy service (immutable evaluations: GET /api/v1/evaluations/:id/policy and /:id/input) and
 * travel in the evidence packet; replay gets them through `PolicyBodySource`, checked against
 * `policyHash` and `inputDigest`.
 */
export interface PolicyGateReference {
  kind: 'evaluated';
  /** The policy service's evaluation id (the digest of its evaluation document). */
  evaluationId: string;
  /** `policyHash` of the compiled policy source (what the `policy` evidence is). */
  policyHash: string;
  /** sha256 of the canonical input document (what the `policy-input` evidence is). */
  inputDigest: string;
  /** sha256 of the verdict's canonical bytes. */
  verdictDigest: string;
}

/** The record of decisions made before references (the bodies inline); still replayed. */
export interface PolicyGateInlineRecord {
  kind: 'evaluated';
  evaluationId: string;
  policySource: string;
  inputDocument: string;
}

export type PolicyGateRecord = PolicyGateReference | PolicyGateInlineRecord | { kind: 'unavailable'; reason: string };

/** The bodies a reference points at: the exact policy text and the RFC 8785 input document. */
export interface PolicyBodies {
  policySource: string;
  inputDocument: string;
}

/** Where replay finds the bodies of a referenced evaluation (an evidence packet's files, ...). */
export type PolicyBodySource = (reference: PolicyGateReference) => PolicyBodies | undefined;

export function isPolicyGateReference(record: unknown): record is PolicyGateReference {
  const r = record as Partial<PolicyGateReference> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.kind === 'evaluated' &&
    typeof r.evaluationId === 'string' &&
    typeof r.policyHash === 'string' &&
    typeof r.inputDigest === 'string' &&
    typeof r.verdictDigest === 'string'
  );
}

function isInlineRecord(record: unknown): record is PolicyGateInlineRecord {
  const r = record as Partial<PolicyGateInlineRecord> | null;
  return typeof r === 'object' && r !== null && r.kind === 'evaluated' && typeof r.policySource === 'string' && typeof r.inputDocument === 'string';
}

/**
 * Why `bodies` are not the ones `reference` names (undefined when they are): the compiled
 * policy's hash and the input document's sha256 must be the recorded ones.
 */
export function policyBodiesProblem(
  reference: PolicyGateReference,
  bodies: PolicyBodies,
  compile: (source: string) => CompiledPolicy = (source) => compilePolicy(source),
): string | undefined {
  const inputDigest = sha256Digest(Buffer.from(bodies.inputDocument, 'utf8'));
  if (inputDigest !== reference.inputDigest) {
    return `the input document of evaluation ${reference.evaluationId} is ${inputDigest}, the decision recorded ${reference.inputDigest}`;
  }
  let policyHash: string;
  try {
    policyHash = compile(bodies.policySource).policyHash;
  } catch (error) {
    return `the policy source of evaluation ${reference.evaluationId} does not compile: ${(error as Error).message}`;
  }
  if (policyHash !== reference.policyHash) {
    return `the policy source of evaluation ${reference.evaluationId} hashes to ${policyHash}, the decision recorded ${reference.policyHash}`;
  }
  return undefined;
}

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

export interface PolicyGateOptions {
  /** Replay: the bodies of a recorded reference (without it, only inline records replay). */
  bodies?: PolicyBodySource;
}

/**
 * The `policy` gate. Without a client it can only replay (what `stella replay` and the export
 * service register, with the packet's bodies); with one it evaluates live through the policy service.
 */
export class PolicyGate {
  readonly name = POLICY_GATE_NAME;
  readonly engineVersion = POLICY_GATE_VERSION;
  private readonly compiled = new Map<string, CompiledPolicy>();

  constructor(
    private readonly client?: PolicyEvaluationClient,
    private readonly options: PolicyGateOptions = {},
  ) {}

  async evaluate(context: PolicyGateContext, recorded?: unknown): Promise<PolicyGateResult> {
    if (recorded === undefined) return this.live(context);
    const record = recorded as PolicyGateRecord;
    if (record.kind === 'unavailable') return unavailable(record);
    if (isInlineRecord(record)) {
      return { ...this.evaluateBodies(record).result, recorded: record };
    }
    if (!isPolicyGateReference(record)) throw new Error('the recorded policy gate record is neither a reference nor an inline record');
    const bodies = this.options.bodies?.(record);
    if (bodies === undefined) {
      throw new Error(`the policy source and input document of evaluation ${record.evaluationId} are not available to replay`);
    }
    const problem = policyBodiesProblem(record, bodies, (source) => this.compile(source));
    if (problem !== undefined) throw new Error(problem);
    return { ...this.evaluateBodies(bodies).result, recorded: record };
  }

  private async live(context: PolicyGateContext): Promise<PolicyGateResult> {
    let response: PolicyEvaluationResponse;
    if (!this.client) {
      response = { kind: 'unavailable', reason: 'no policy service configured for live evaluation' };
    } else {
      try {
        response = await this.client.evaluate({
          tenant: context.tenant,
          release: context.release,
          environment: context.environment.name,
          approvals: context.approvals,
          evaluationTime: context.now.toISOString(),
        });
      } catch (error) {
        response = { kind: 'unavailable', reason: `policy service: ${(error as Error).message}` };
      }
    }
    if (response.kind === 'unavailable') return unavailable({ kind: 'unavailable', reason: response.reason });
    const { result, reference } = this.evaluateBodies(response);
    return { ...result, recorded: { kind: 'evaluated', evaluationId: response.evaluationId, ...reference } satisfies PolicyGateReference };
  }

  private evaluateBodies(bodies: PolicyBodies): {
    result: PolicyGateResult;
    reference: Omit<PolicyGateReference, 'kind' | 'evaluationId'>;
  } {
    const policy = this.compile(bodies.policySource);
    const input = JSON.parse(bodies.inputDocument) as PolicyInput;
    const verdict = evaluatePolicy(policy, input);
    return {
      result: gateResultOf(policy, input, verdict),
      reference: {
        policyHash: policy.policyHash,
        inputDigest: verdict.inputDigest,
        verdictDigest: sha256Digest(verdictBytes(verdict)),
      },
    };
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

function unavailable(record: { kind: 'unavailable'; reason: string }): PolicyGateResult {
  return { result: 'pending', reasons: [`policy not evaluated: ${record.reason}`], evidence: [], recorded: record };
}

import { canonicalize, digestOf, type Sha256Digest } from '@stella/canonical';
import { z } from 'zod';
import { buildDecisionRecord, DECISION_ENGINE_VERSION, type DecisionRecord } from './decision-record';
import { GatesError } from './errors';
import { decisionReasons, evaluateGates, gateEvaluations, verdictOf, type NamedGateResult } from './evaluate';
import { freezeWindowSchema } from './freeze-windows';
import type { ApprovalFact, GateContext, GatePath, GatePolicy } from './gate';
import type { GateEvaluatorRegistry } from './registry';

/** `_type` of the decision inputs document (never change its meaning: add a v2). */
export const DECISION_INPUTS_V1 = 'https://stella-ops.dev/decision-inputs/v1';

const utc = z.iso.datetime({ offset: false });
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const approvalSchema = z.strictObject({
  approver: z.string().min(1).max(256),
  time: utc,
  comment: z.string().max(4096).optional(),
});
const policySchema = z.looseObject({
  approvals: z.looseObject({ required: z.int().min(0), approverRoles: z.array(z.string()).optional() }),
  freezeWindows: z.array(freezeWindowSchema),
  gates: z.array(z.string().min(1).max(64)).min(1),
});
const pathSchema = z.strictObject({
  environments: z.array(z.string().min(1)).min(1),
  allowSkip: z.boolean(),
  version: z.int().optional(),
});

/** A gate context as JSON (`now` as an RFC 3339 UTC string). */
const contextSchema = z.strictObject({
  tenant: z.string().min(1),
  now: utc,
  promotion: z.strictObject({
    id: z.string().min(1),
    kind: z.enum(['promotion', 'rollback']),
    requestedBy: z.string().min(1),
    breakGlass: z.strictObject({ by: z.string(), reason: z.string(), at: z.string() }).optional(),
  }),
  release: z.strictObject({ id: digest, name: z.string().min(1), version: z.string().min(1), createdBy: z.string() }),
  environment: z.strictObject({ name: z.string().min(1), policy: policySchema, policyDigest: z.string() }),
  path: pathSchema,
  approvals: z.array(approvalSchema),
  priorSuccesses: z.array(z.strictObject({ environment: z.string(), promotionId: z.string(), state: z.string() })),
});

/**
 * Everything a decision was made from, complete enough to re-run every gate and rebuild the
 * record byte for byte: the gates' context, each gate's evaluator version and what it recorded
 * (small: the policy gate records its evaluation's id and digests, never the bodies), and the decision's own facts. It travels
 * with the decision (event `stella.orchestrator.decision.recorded`, field `inputs`) into the
 * evidence packet (`inputs/decision-inputs.json`).
 */
export const DecisionInputsV1Schema = z.strictObject({
  _type: z.literal(DECISION_INPUTS_V1),
  decisionEngineVersion: z.string().min(1).max(64),
  /** When the decision was made (the record's evaluatedAt). */
  evaluatedAt: utc,
  context: contextSchema,
  gates: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(64),
        /** null: the gate was configured but not available (it failed the decision). */
        engineVersion: z.string().min(1).max(64).nullable(),
        recorded: z.unknown().optional(),
      }),
    )
    .max(64),
  /** An explicit deny (e.g. a rejection by an approver) that overrode the gates. */
  denyReason: z.string().max(4096).optional(),
  /** The approvals the decision recorded, and the path it was made on. */
  approvals: z.array(approvalSchema),
  path: pathSchema.pick({ environments: true, allowSkip: true }),
});

export type DecisionInputsV1 = z.infer<typeof DecisionInputsV1Schema>;

/** Builds the inputs document of a decision from what the orchestrator evaluated. */
export function decisionInputsOf(input: {
  context: GateContext;
  results: readonly NamedGateResult[];
  evaluatedAt: string;
  approvals: readonly ApprovalFact[];
  path: Pick<GatePath, 'environments' | 'allowSkip'>;
  denyReason?: string;
}): DecisionInputsV1 {
  const c = input.context;
  const approval = (a: ApprovalFact) => ({
    approver: a.approver,
    time: a.time,
    ...(a.comment === undefined ? {} : { comment: a.comment }),
  });
  const breakGlass = c.promotion.breakGlass;
  const document = {
    _type: DECISION_INPUTS_V1,
    decisionEngineVersion: DECISION_ENGINE_VERSION,
    evaluatedAt: input.evaluatedAt,
    // Field by field: exactly what the gates read, nothing a caller happened to attach.
    context: {
      tenant: c.tenant,
      now: c.now.toISOString(),
      promotion: {
        id: c.promotion.id,
        kind: c.promotion.kind,
        requestedBy: c.promotion.requestedBy,
        ...(breakGlass ? { breakGlass: { by: breakGlass.by, reason: breakGlass.reason, at: breakGlass.at } } : {}),
      },
      release: { id: c.release.id, name: c.release.name, version: c.release.version, createdBy: c.release.createdBy },
      environment: { name: c.environment.name, policy: c.environment.policy, policyDigest: c.environment.policyDigest },
      path: {
        environments: [...c.path.environments],
        allowSkip: c.path.allowSkip,
        ...(c.path.version === undefined ? {} : { version: c.path.version }),
      },
      approvals: c.approvals.map(approval),
      priorSuccesses: c.priorSuccesses.map((p) => ({ environment: p.environment, promotionId: p.promotionId, state: p.state })),
    },
    gates: input.results.map((r) => ({
      name: r.name,
      engineVersion: r.engineVersion,
      ...(r.recorded === undefined ? {} : { recorded: r.recorded }),
    })),
    ...(input.denyReason === undefined ? {} : { denyReason: input.denyReason }),
    approvals: input.approvals.map(approval),
    path: { environments: [...input.path.environments], allowSkip: input.path.allowSkip },
  };
  // Round-trip through canonical JSON: what travels is exactly what replay will read.
  return parseDecisionInputs(JSON.parse(canonicalize(document)));
}

export function parseDecisionInputs(value: unknown): DecisionInputsV1 {
  const parsed = DecisionInputsV1Schema.safeParse(value);
  if (!parsed.success) {
    throw new GatesError('INVALID_DECISION_INPUTS', `not a decision inputs document: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function decisionInputsDigest(inputs: DecisionInputsV1): Sha256Digest {
  return digestOf(inputs);
}

export function gateContextOf(inputs: DecisionInputsV1): GateContext {
  const { now, ...context } = inputs.context;
  return { ...context, now: new Date(now), environment: { ...context.environment, policy: context.environment.policy as GatePolicy } };
}

export interface ReplayedDecision {
  decision: DecisionRecord;
  results: NamedGateResult[];
}

/**
 * Re-runs every gate with the evaluator version the decision recorded (and what each gate
 * recorded), applies the verdict rules and rebuilds the decision record. Pure: no clock, no I/O.
 */
export async function replayDecision(inputs: DecisionInputsV1, registry: GateEvaluatorRegistry): Promise<ReplayedDecision> {
  if (inputs.decisionEngineVersion !== DECISION_ENGINE_VERSION) {
    throw new GatesError('UNKNOWN_GATE_VERSION', `decision engine ${inputs.decisionEngineVersion} is not this build's (${DECISION_ENGINE_VERSION})`, {
      decisionEngineVersion: inputs.decisionEngineVersion,
    });
  }
  const recordedGates = new Map(inputs.gates.map((g) => [g.name, g]));
  const missing = inputs.gates.filter((g) => g.engineVersion !== null && registry.get(g.name, g.engineVersion) === undefined);
  if (missing.length > 0) {
    throw new GatesError('UNKNOWN_GATE_VERSION', `no evaluator for ${missing.map((g) => `${g.name} ${g.engineVersion}`).join(', ')} in this build`, {
      gates: missing.map((g) => ({ name: g.name, engineVersion: g.engineVersion })),
    });
  }
  const context = gateContextOf(inputs);
  const results = await evaluateGates(
    context,
    (name) => {
      const recorded = recordedGates.get(name);
      return recorded?.engineVersion ? registry.get(name, recorded.engineVersion) : undefined;
    },
    (name) => recordedGates.get(name)?.recorded,
  );
  const verdict = inputs.denyReason !== undefined ? 'deny' : verdictOf(results);
  if (verdict === 'pending') {
    throw new GatesError('NOT_A_DECISION', 'the recorded inputs leave the promotion pending: no decision to rebuild');
  }
  const decision = buildDecisionRecord({
    tenant: context.tenant,
    release: { id: context.release.id, name: context.release.name, version: context.release.version },
    environment: { name: context.environment.name, policy: context.environment.policy },
    path: inputs.path,
    verdict,
    reasons: decisionReasons(verdict, results, inputs.denyReason),
    gates: gateEvaluations(results),
    approvals: inputs.approvals,
    evaluatedAt: inputs.evaluatedAt,
  });
  return { decision, results };
}

export const DECISION_INPUTS_V1_SCHEMA_ID = 'https://stella-ops.dev/schemas/decision-inputs.v1.json';

/** JSON Schema (2020-12) of the decision inputs document, as published under docs/schemas. */
export function decisionInputsV1JsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(DecisionInputsV1Schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $schema: generated.$schema, $id: DECISION_INPUTS_V1_SCHEMA_ID, title: 'Stella Ops decision inputs v1', ...generated };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@stella/canonical';
import Ajv2020 from 'ajv/dist/2020';
import { buildDecisionRecord } from './decision-record';
import { decisionInputsOf, decisionInputsV1JsonSchema, parseDecisionInputs, replayDecision } from './decision-inputs';
import { decisionReasons, evaluateGates, gateEvaluations, verdictOf } from './evaluate';
import type { Gate, GateContext } from './gate';
import { createGateRegistry, GateEvaluatorRegistry } from './registry';
import { testPolicy } from './test-policy';

const registry = createGateRegistry();

function context(overrides: Partial<GateContext> = {}): GateContext {
  return {
    tenant: 'acme',
    now: new Date('2030-01-01T12:00:00.000Z'),
    promotion: { id: 'p1', kind: 'promotion', requestedBy: 'user:alice' },
    release: { id: `sha256:${'1'.repeat(64)}`, name: 'shop', version: '1.0.0', createdBy: 'client:ci' },
    environment: { name: 'prod', policy: testPolicy({ approvals: { required: 2, approverRoles: [] } }), policyDigest: `sha256:${'2'.repeat(64)}` },
    path: { environments: ['dev', 'stage', 'prod'], allowSkip: false, version: 1 },
    approvals: [
      { approver: 'user:bob', time: '2030-01-01T11:00:00.000Z', comment: 'lgtm' },
      { approver: 'user:carol', time: '2030-01-01T11:30:00.000Z' },
    ],
    priorSuccesses: [{ environment: 'stage', promotionId: 'p0', state: 'deployed' }],
    ...overrides,
  };
}

/** What the orchestrator does live: evaluate, decide, build the record and the inputs. */
async function liveDecision(ctx: GateContext, denyReason?: string) {
  const results = await evaluateGates(ctx, (name) => registry.current(name));
  const verdict = denyReason !== undefined ? 'deny' : verdictOf(results);
  if (verdict === 'pending') throw new Error('pending');
  const evaluatedAt = '2030-01-01T12:00:00.500Z';
  const record = buildDecisionRecord({
    tenant: ctx.tenant,
    release: ctx.release,
    environment: ctx.environment,
    path: ctx.path,
    verdict,
    reasons: decisionReasons(verdict, results, denyReason),
    gates: gateEvaluations(results),
    approvals: ctx.approvals,
    evaluatedAt,
  });
  const inputs = decisionInputsOf({ context: ctx, results, evaluatedAt, approvals: ctx.approvals, path: ctx.path, ...(denyReason === undefined ? {} : { denyReason }) });
  return { record, inputs, results };
}

describe('decision inputs and replay', () => {
  it('replays an allow byte for byte from the inputs (through JSON, as they travel)', async () => {
    const live = await liveDecision(context());
    expect(live.record.record.verdict).toBe('allow');
    const travelled = parseDecisionInputs(JSON.parse(JSON.stringify(live.inputs)));
    const replayed = await replayDecision(travelled, createGateRegistry());
    expect(replayed.decision.canonical).toBe(live.record.canonical);
    expect(replayed.decision.id).toBe(live.record.id);
  });

  it('replays a deny in a freeze window, and an explicit deny reason', async () => {
    const frozen = context({
      environment: {
        name: 'prod',
        policy: testPolicy({ freezeWindows: [{ kind: 'recurring', name: 'weekend', cron: '0 0 * * *', durationMinutes: 24 * 60 }] }),
        policyDigest: `sha256:${'2'.repeat(64)}`,
      },
    });
    const live = await liveDecision(frozen);
    expect(live.record.record.verdict).toBe('deny');
    expect((await replayDecision(live.inputs, registry)).decision.canonical).toBe(live.record.canonical);
    const rejected = await liveDecision(context(), 'rejected by user:dave');
    expect((await replayDecision(rejected.inputs, registry)).decision.canonical).toBe(rejected.record.canonical);
  });

  it('keeps each gate evidence document, whose digest the record pins', async () => {
    const live = await liveDecision(context());
    const approvals = live.results.find((r) => r.name === 'approvals')!;
    expect(approvals.evidence.map((e) => e.name)).toEqual(['approval-policy', 'approval:user:bob', 'approval:user:carol']);
    expect(canonicalize(approvals.evidence[0]!.document)).toBe(canonicalize({ required: 2, approverRoles: [] }));
  });

  it('does not reproduce when an input changed, and refuses an evaluator version it does not have', async () => {
    const live = await liveDecision(context());
    const tampered = parseDecisionInputs({ ...live.inputs, approvals: live.inputs.approvals.slice(0, 1) });
    expect((await replayDecision(tampered, registry)).decision.canonical).not.toBe(live.record.canonical);
    const future = parseDecisionInputs({ ...live.inputs, gates: live.inputs.gates.map((g) => ({ ...g, engineVersion: `${g.name}/9` })) });
    await expect(replayDecision(future, registry)).rejects.toMatchObject({ code: 'UNKNOWN_GATE_VERSION' });
  });

  it('re-runs the recorded evaluator version, handing back what the gate recorded', async () => {
    const seen: unknown[] = [];
    const v1: Gate = {
      name: 'external',
      engineVersion: 'external/1',
      evaluate: async (_ctx, recorded) => {
        seen.push(recorded);
        const facts = recorded ?? { score: 3 };
        return { result: 'pass', reasons: ['v1'], evidence: [], recorded: facts };
      },
    };
    const v2: Gate = { name: 'external', engineVersion: 'external/2', evaluate: async () => ({ result: 'fail', reasons: ['v2'], evidence: [] }) };
    const reg = new GateEvaluatorRegistry([v1]);
    const ctx = context({ environment: { ...context().environment, policy: testPolicy({ gates: ['external'] }) } });
    const results = await evaluateGates(ctx, (name) => reg.current(name));
    const inputs = decisionInputsOf({ context: ctx, results, evaluatedAt: '2030-01-01T12:00:00.000Z', approvals: [], path: ctx.path });
    expect(inputs.gates).toEqual([{ name: 'external', engineVersion: 'external/1', recorded: { score: 3 } }]);
    reg.register(v2);
    expect(reg.current('external')).toBe(v2);
    const replayed = await replayDecision(inputs, reg);
    expect(replayed.decision.record.verdict).toBe('allow');
    expect(seen).toEqual([undefined, { score: 3 }]);
  });
});

describe('published JSON Schema (docs/schemas/decision-inputs.v1.json)', () => {
  const published = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'schemas', 'decision-inputs.v1.json'), 'utf8')) as Record<string, unknown>;

  it('is exactly what the zod schema generates (regenerate with libs/gates/scripts/write-decision-inputs-schema.js)', () => {
    expect(published).toEqual(decisionInputsV1JsonSchema());
  });

  it('accepts the inputs of a live decision and refuses one without its context', async () => {
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(published);
    const live = await liveDecision(context());
    expect(validate(JSON.parse(JSON.stringify(live.inputs)))).toBe(true);
    const { context: _dropped, ...broken } = live.inputs;
    expect(validate(broken)).toBe(false);
  });
});

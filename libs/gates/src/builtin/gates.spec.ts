import { ApprovalsGate } from './approvals.gate';
import { FreezeWindowGate } from './freeze-window.gate';
import type { GateContext } from '../gate';
import { testPolicy } from '../test-policy';
import { PreviousEnvironmentGate } from './previous-environment.gate';

function context(overrides: Partial<GateContext> = {}, policy: Parameters<typeof testPolicy>[0] = {}): GateContext {
  return {
    tenant: 'acme',
    now: new Date('2030-01-01T12:00:00Z'),
    promotion: { id: 'p1', kind: 'promotion', requestedBy: 'user:alice' },
    release: { id: `sha256:${'1'.repeat(64)}`, name: 'shop', version: '1.0.0', createdBy: 'client:ci' },
    environment: { name: 'stage', policy: testPolicy(policy), policyDigest: `sha256:${'2'.repeat(64)}` },
    path: { environments: ['dev', 'stage', 'prod'], allowSkip: false, version: 1 },
    approvals: [],
    priorSuccesses: [],
    ...overrides,
  };
}

describe('built-in gates', () => {
  it('previous-environment: passes the first environment, passes after success in the one before, refuses a skip', async () => {
    const gate = new PreviousEnvironmentGate();
    const first = await gate.evaluate(context({ environment: { ...context().environment, name: 'dev' } }));
    expect(first.result).toBe('pass');
    const after = await gate.evaluate(context({ priorSuccesses: [{ environment: 'dev', promotionId: 'p0', state: 'deployed' }] }));
    expect(after.result).toBe('pass');
    expect(after.evidence.map((e) => e.name)).toEqual(['promotion-path', 'promotion:p0']);
    const skip = await gate.evaluate(context());
    expect(skip).toMatchObject({ result: 'fail', refusal: { code: 'PROMOTION_SKIPS_ENVIRONMENT', details: { requiredEnvironment: 'dev' } } });
    const allowed = await gate.evaluate(context({ path: { environments: ['dev', 'stage', 'prod'], allowSkip: true, version: 2 } }));
    expect(allowed.result).toBe('warn');
  });

  it('freeze-window: fails inside a window naming it, warns with break-glass', async () => {
    const gate = new FreezeWindowGate();
    const policy = { freezeWindows: [{ kind: 'range' as const, name: 'new-year', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' }] };
    expect((await gate.evaluate(context({}, {}))).result).toBe('pass');
    const frozen = await gate.evaluate(context({}, policy));
    expect(frozen).toMatchObject({ result: 'fail', refusal: { code: 'ENVIRONMENT_FROZEN', details: { window: { name: 'new-year' } } } });
    const glass = await gate.evaluate(
      context({ promotion: { id: 'p1', kind: 'promotion', requestedBy: 'user:alice', breakGlass: { by: 'user:alice', reason: 'INC-1 fix', at: '2030-01-01T12:00:00.000Z' } } }, policy),
    );
    expect(glass.result).toBe('warn');
    expect(glass.evidence.map((e) => e.name)).toEqual(['freeze-windows', 'break-glass']);
  });

  it('approvals: pending until enough distinct approvers, with each approval as evidence', async () => {
    const gate = new ApprovalsGate();
    const policy = { approvals: { required: 2, approverRoles: [] } };
    expect(await gate.evaluate(context({}, policy))).toMatchObject({ result: 'pending', reasons: ['0 of 2 required approvals'] });
    const one = [{ approver: 'user:bob', time: '2030-01-01T12:00:00.000Z' }];
    expect((await gate.evaluate(context({ approvals: one }, policy))).result).toBe('pending');
    const two = [...one, { approver: 'user:carol', time: '2030-01-01T12:01:00.000Z' }];
    const passed = await gate.evaluate(context({ approvals: two }, policy));
    expect(passed.result).toBe('pass');
    expect(passed.evidence.map((e) => e.name)).toEqual(['approval-policy', 'approval:user:bob', 'approval:user:carol']);
    expect((await gate.evaluate(context({}, {}))).result).toBe('pass');
  });
});

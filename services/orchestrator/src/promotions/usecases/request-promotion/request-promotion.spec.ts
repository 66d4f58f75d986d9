import type { EntityManager } from 'typeorm';
import type { Actor } from '../../../common/actor';
import { ManualClock } from '../../../common/clock';
import { OrchestratorError } from '../../../common/errors';
import { tenantIdOf } from '../../../common/tenancy';
import { environmentPolicySchema } from '../../../environments/environment.model';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { Tx, type UnitOfWork } from '../../../persistence/unit-of-work';
import { ApprovalsGate, FreezeWindowGate, PreviousEnvironmentGate } from '@stella/gates';
import { GateRegistry } from '../../gates/gate-registry';
import { PromotionFlow } from '../../promotion-flow';
import type { PromotionsRepository, PromotionWrite, RequestContext } from '../../promotions.repository';
import { requestPromotionCommand } from './request-promotion.command';
import { RequestPromotionUseCase } from './request-promotion.usecase';

const tenant = tenantIdOf('acme');
const alice: Actor = { type: 'user', id: 'alice', roles: [], scopes: new Set(['release:promote']) };
const release = { id: `sha256:${'a'.repeat(64)}`, name: 'shop', version: '1.0.0', createdBy: 'client:ci' };

/** Every port faked: no database, no bus. The unit of work runs the use case against a bare Tx. */
function setup(context: Partial<RequestContext>, policy: Record<string, unknown> = {}) {
  const clock = new ManualClock(new Date('2030-01-01T12:00:00.000Z'));
  const writes: PromotionWrite[] = [];
  let lastTx: Tx | undefined;
  const repository = {
    requestContext: jest.fn(async () => ({
      release,
      environment: { name: 'dev', policy: environmentPolicySchema.parse(policy), policyDigest: `sha256:${'0'.repeat(64)}` },
      path: { environments: ['dev', 'stage', 'prod'], allowSkip: false, version: 1 },
      priorSuccesses: [],
      ...context,
    })),
    save: jest.fn((_batch: unknown, _t: string, write: PromotionWrite) => void writes.push(structuredClone(write))),
    lockDeploymentSlot: jest.fn(async () => ({ busy: false })),
    recordDeployment: jest.fn(async () => undefined),
  } as unknown as PromotionsRepository;
  const uow = {
    runIdempotent: async (_tenant: string, _idem: unknown, work: (tx: Tx) => Promise<unknown>) => {
      lastTx = new Tx({} as EntityManager, tenant, clock.now());
      return { outcome: await work(lastTx), replayed: false };
    },
  } as unknown as UnitOfWork;
  const events = new OrchestratorEvents(clock);
  const flow = new PromotionFlow(new GateRegistry([new PreviousEnvironmentGate(), new FreezeWindowGate(), new ApprovalsGate()]), repository, events);
  const useCase = new RequestPromotionUseCase(uow, repository, flow, { next: () => '0190a0b0-0000-7000-8000-000000000001' });
  return { useCase, repository, writes, tx: () => lastTx! };
}

describe('RequestPromotionUseCase (ports faked)', () => {
  it('refuses break-glass without the dedicated scope before touching anything', async () => {
    const { useCase, repository } = setup({});
    const command = requestPromotionCommand({ release: { id: release.id }, environment: 'dev', breakGlass: { reason: 'outage INC-7 hotfix' } });
    await expect(useCase.execute(tenant, alice, command)).rejects.toMatchObject({ code: 'BREAK_GLASS_SCOPE_REQUIRED' });
    expect(repository.requestContext).not.toHaveBeenCalled();
  });

  it('answers not found for an unknown release or environment, and writes nothing', async () => {
    const command = requestPromotionCommand({ release: { name: 'shop', version: '9.9.9' }, environment: 'dev' });
    const noRelease = setup({ release: undefined });
    await expect(noRelease.useCase.execute(tenant, alice, command)).rejects.toMatchObject({ code: 'RELEASE_NOT_FOUND', details: { release: 'shop@9.9.9' } });
    const noEnvironment = setup({ environment: undefined });
    await expect(noEnvironment.useCase.execute(tenant, alice, command)).rejects.toBeInstanceOf(OrchestratorError);
    expect(noRelease.writes).toEqual([]);
    expect(noEnvironment.writes).toEqual([]);
  });

  it('allows a promotion without approvals: decision record, approved, deploying — each with its event and audit entry', async () => {
    const { useCase, writes, tx } = setup({});
    const { outcome } = await useCase.execute(tenant, alice, requestPromotionCommand({ release: { id: release.id }, environment: 'dev' }));
    expect(outcome.ok).toBe(true);
    const [write] = writes;
    expect(write!.record.state).toBe('deploying');
    expect(write!.transitions.map((t) => [t.seq, t.from, t.to])).toEqual([
      [1, null, 'requested'],
      [2, 'requested', 'evaluating'],
      [3, 'evaluating', 'approved'],
      [4, 'approved', 'deploying'],
    ]);
    expect(write!.decision).toMatchObject({ verdict: 'allow', record: { record: { verdict: 'allow', environment: 'dev', tenant: 'acme' } } });
    expect(tx().events.map((e) => e.type)).toEqual([
      'stella.orchestrator.promotion.requested',
      'stella.orchestrator.promotion.evaluating',
      'stella.orchestrator.decision.recorded',
      'stella.orchestrator.promotion.approved',
      'stella.orchestrator.promotion.deploying',
    ]);
    expect(tx().audit.map((a) => a.action)).toEqual([
      'promotion.requested',
      'promotion.evaluating',
      'decision.recorded',
      'promotion.approved',
      'promotion.deploying',
    ]);
  });

  it('waits for approvals without recording a decision', async () => {
    const { useCase, writes } = setup({}, { approvals: { required: 2 } });
    const { outcome } = await useCase.execute(tenant, alice, requestPromotionCommand({ release: { id: release.id }, environment: 'dev' }));
    expect(outcome).toMatchObject({ ok: true, value: { state: 'awaiting_approval' } });
    expect(writes[0]!.decision).toBeUndefined();
  });

  it('commits a denial (rejected, deny decision) and answers with the failing gate’s refusal', async () => {
    const { useCase, writes } = setup(
      { environment: { name: 'stage', policy: environmentPolicySchema.parse({}), policyDigest: `sha256:${'0'.repeat(64)}` } },
    );
    const { outcome } = await useCase.execute(tenant, alice, requestPromotionCommand({ release: { id: release.id }, environment: 'stage' }));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'PROMOTION_SKIPS_ENVIRONMENT', details: { requiredEnvironment: 'dev', state: 'rejected' } } });
    expect(writes[0]!.record.state).toBe('rejected');
    expect(writes[0]!.decision?.verdict).toBe('deny');
  });

  it('refuses a second open promotion of the same release into the environment', async () => {
    const { useCase } = setup({ openPromotionId: 'p-open' });
    await expect(
      useCase.execute(tenant, alice, requestPromotionCommand({ release: { id: release.id }, environment: 'dev' })),
    ).rejects.toMatchObject({ code: 'PROMOTION_ALREADY_ACTIVE', details: { promotionId: 'p-open' } });
  });
});

import { Injectable } from '@nestjs/common';
import { actorName, eventActor, type Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import { gateContext } from '../../gate-context';
import { PromotionChange, PromotionFlow } from '../../promotion-flow';
import type { ApprovalView, PromotionView } from '../../promotion.model';
import { promotionNotFound, PromotionsRepository, toView } from '../../promotions.repository';
import type { ApprovePromotionCommand } from './approve-promotion.command';

/**
 * Records an approval and re-evaluates every gate with it. The promotion row is locked first, so
 * concurrent approvals are counted one after the other and exactly one of them decides.
 */
@Injectable()
export class ApprovePromotionUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly flow: PromotionFlow,
    private readonly events: OrchestratorEvents,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: ApprovePromotionCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<PromotionView>; replayed: boolean }> {
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const locked = await this.promotions.lock(tx.manager, tenant, command.promotionId);
      if (!locked) throw promotionNotFound(command.promotionId);
      const { promotion, environment } = locked;
      const approver = actorName(actor);
      if (promotion.state !== 'awaiting_approval') {
        throw new OrchestratorError('INVALID_STATE', `promotion ${promotion.id} is ${promotion.state}, not awaiting approval`, {
          promotionId: promotion.id,
          state: promotion.state,
        });
      }
      checkApprover(approver, actor, locked);
      const approval: ApprovalView = {
        approver,
        time: tx.now.toISOString(),
        ...(command.comment === undefined ? {} : { comment: command.comment }),
      };
      const approvals = [...locked.approvals, approval];
      const change = new PromotionChange(promotion, false);
      change.approval = { ...approval, roles: actor.roles };
      tx.emit(
        this.events.build(
          'stella.orchestrator.approval.recorded',
          tenant,
          {
            tenantId: tenant,
            promotionId: promotion.id,
            release: { id: promotion.release.id, name: promotion.release.name, version: promotion.release.version },
            environment: promotion.environment,
            approver: eventActor(actor),
            at: approval.time,
            ...(approval.comment === undefined ? {} : { comment: approval.comment }),
            count: approvals.length,
            required: environment.policy.approvals.required,
          },
          promotion.id,
          tx.now,
        ),
      );
      tx.record({
        action: 'approval.recorded',
        subject: { type: 'promotion', id: promotion.id },
        actor: approver,
        at: approval.time,
        data: { comment: approval.comment ?? null, roles: [...actor.roles], count: approvals.length },
      });
      tx.touchedPromotions.add(promotion.id);
      const facts = { environment, path: locked.path, approvals };
      const evaluation = await this.flow.evaluate(
        gateContext({ tenant, now: tx.now, promotion, ...facts, priorSuccesses: locked.priorSuccesses }),
      );
      const refusal = await this.flow.decide(tx, change, facts, evaluation, actor);
      await this.flow.save(tx, change);
      const view = toView(change.record, approvals, [...locked.transitions, ...change.transitions]);
      return refusal ? { ok: false as const, error: refusal.toJSON() } : { ok: true as const, value: view };
    });
  }
}

/** Separation of duties, distinct approvers and approver roles; each refusal names its rule. */
function checkApprover(
  approver: string,
  actor: Actor,
  locked: { promotion: { id: string; requestedBy: string; release: { createdBy: string } }; approvals: ApprovalView[]; environment: { name: string; policy: { separationOfDuties: boolean; approvals: { approverRoles: string[] } } } },
): void {
  const { promotion, environment } = locked;
  if (environment.policy.separationOfDuties) {
    if (approver === promotion.requestedBy) {
      throw new OrchestratorError('SEPARATION_OF_DUTIES', `separation of duties: ${approver} requested this promotion and may not approve it`, {
        rule: 'separation-of-duties',
        violation: 'requester-approves',
        promotionId: promotion.id,
      });
    }
    if (approver === promotion.release.createdBy) {
      throw new OrchestratorError('SEPARATION_OF_DUTIES', `separation of duties: ${approver} created the release and may not approve its promotion`, {
        rule: 'separation-of-duties',
        violation: 'release-creator-approves',
        promotionId: promotion.id,
      });
    }
  }
  if (locked.approvals.some((a) => a.approver === approver)) {
    throw new OrchestratorError('DUPLICATE_APPROVAL', `${approver} already approved promotion ${promotion.id}; approvers must be distinct`, {
      rule: 'distinct-approvers',
      promotionId: promotion.id,
    });
  }
  const roles = environment.policy.approvals.approverRoles;
  if (roles.length > 0 && !actor.roles.some((role) => roles.includes(role))) {
    throw new OrchestratorError('APPROVER_NOT_ALLOWED', `approving into ${environment.name} needs one of the roles ${roles.join(', ')}`, {
      rule: 'approver-roles',
      requiredRoles: roles,
      promotionId: promotion.id,
    });
  }
}

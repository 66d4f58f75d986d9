import { Injectable } from '@nestjs/common';
import { actorName, type Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import { gateContext } from '../../gate-context';
import { PromotionChange, PromotionFlow } from '../../promotion-flow';
import type { PromotionView } from '../../promotion.model';
import { promotionNotFound, PromotionsRepository, toView } from '../../promotions.repository';
import type { RejectPromotionCommand } from './reject-promotion.command';

/** An approver says no: awaiting_approval -> rejected, with a deny decision naming who and why. */
@Injectable()
export class RejectPromotionUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly flow: PromotionFlow,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: RejectPromotionCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<PromotionView>; replayed: boolean }> {
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const locked = await this.promotions.lock(tx.manager, tenant, command.promotionId);
      if (!locked) throw promotionNotFound(command.promotionId);
      const { promotion, environment } = locked;
      if (promotion.state !== 'awaiting_approval') {
        throw new OrchestratorError('INVALID_STATE', `promotion ${promotion.id} is ${promotion.state}, not awaiting approval`, {
          promotionId: promotion.id,
          state: promotion.state,
        });
      }
      const roles = environment.policy.approvals.approverRoles;
      if (roles.length > 0 && !actor.roles.some((role) => roles.includes(role))) {
        throw new OrchestratorError('APPROVER_NOT_ALLOWED', `rejecting in ${environment.name} needs one of the roles ${roles.join(', ')}`, {
          rule: 'approver-roles',
          requiredRoles: roles,
        });
      }
      const change = new PromotionChange(promotion, false);
      const facts = { environment, path: locked.path, approvals: locked.approvals };
      const evaluation = await this.flow.evaluate(
        gateContext({ tenant, now: tx.now, promotion, ...facts, priorSuccesses: locked.priorSuccesses }),
      );
      await this.flow.decide(tx, change, facts, evaluation, actor, { denyReason: `rejected by ${actorName(actor)}: ${command.reason}` });
      await this.flow.save(tx, change);
      return { ok: true as const, value: toView(change.record, locked.approvals, [...locked.transitions, ...change.transitions]) };
    });
  }
}

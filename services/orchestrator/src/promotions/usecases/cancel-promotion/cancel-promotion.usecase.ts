import { Injectable } from '@nestjs/common';
import type { Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import { PromotionChange, PromotionFlow } from '../../promotion-flow';
import type { PromotionView } from '../../promotion.model';
import { promotionNotFound, PromotionsRepository, toView } from '../../promotions.repository';
import type { CancelPromotionCommand } from './cancel-promotion.command';

/** Withdraws a promotion that has not started deploying (awaiting approval, or approved and queued). */
@Injectable()
export class CancelPromotionUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly flow: PromotionFlow,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: CancelPromotionCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<PromotionView>; replayed: boolean }> {
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const locked = await this.promotions.lock(tx.manager, tenant, command.promotionId);
      if (!locked) throw promotionNotFound(command.promotionId);
      const { promotion } = locked;
      if (promotion.state !== 'awaiting_approval' && promotion.state !== 'approved') {
        throw new OrchestratorError('INVALID_STATE', `promotion ${promotion.id} is ${promotion.state} and can no longer be cancelled`, {
          promotionId: promotion.id,
          state: promotion.state,
        });
      }
      const change = new PromotionChange(promotion, false);
      this.flow.transition(tx, change, 'cancelled', actor, tx.now.toISOString(), command.reason ?? 'cancelled');
      await this.flow.save(tx, change);
      return { ok: true as const, value: toView(change.record, locked.approvals, [...locked.transitions, ...change.transitions]) };
    });
  }
}

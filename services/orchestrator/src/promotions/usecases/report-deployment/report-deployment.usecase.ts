import { Injectable } from '@nestjs/common';
import type { Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { UnitOfWork, type IdempotencyRequest, type Outcome, type Tx } from '../../../persistence/unit-of-work';
import { PromotionChange, PromotionFlow } from '../../promotion-flow';
import type { PromotionView } from '../../promotion.model';
import { promotionNotFound, PromotionsRepository, toView } from '../../promotions.repository';
import type { ReportDeploymentCommand } from './report-deployment.command';

/**
 * A deployer reports the end of a deployment: deploying -> deployed (the inventory changes) or
 * failed. The environment's slot is then free: the oldest queued approved promotion starts.
 */
@Injectable()
export class ReportDeploymentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly flow: PromotionFlow,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: ReportDeploymentCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<PromotionView>; replayed: boolean }> {
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const locked = await this.promotions.lock(tx.manager, tenant, command.promotionId);
      if (!locked) throw promotionNotFound(command.promotionId);
      const { promotion } = locked;
      if (promotion.state !== 'deploying') {
        throw new OrchestratorError('INVALID_STATE', `promotion ${promotion.id} is ${promotion.state}, not deploying`, {
          promotionId: promotion.id,
          state: promotion.state,
        });
      }
      const change = new PromotionChange(promotion, false);
      if (command.status === 'deployed') {
        await this.flow.recordDeployed(tx, change, actor, command.reason ?? 'deployment reported done');
      } else {
        this.flow.transition(tx, change, 'failed', actor, tx.now.toISOString(), command.reason ?? 'deployment reported failed');
      }
      await this.flow.save(tx, change);
      // The slot check below must see this promotion out of `deploying`.
      await tx.writes.flush(tx.manager);
      await this.startNextQueued(tx, promotion.environment, actor);
      return { ok: true as const, value: toView(change.record, locked.approvals, [...locked.transitions, ...change.transitions]) };
    });
  }

  private async startNextQueued(tx: Tx, environment: string, actor: Actor): Promise<void> {
    const next = await this.promotions.nextQueued(tx.manager, tx.tenant, environment);
    if (!next) return;
    const queued = await this.promotions.lock(tx.manager, tx.tenant, next);
    if (!queued) return;
    const change = new PromotionChange(queued.promotion, false);
    await this.flow.startDeployment(tx, change, queued.environment, actor, true);
    await this.flow.save(tx, change);
  }
}

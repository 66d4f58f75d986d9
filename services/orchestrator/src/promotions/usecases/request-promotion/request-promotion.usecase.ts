import { Inject, Injectable } from '@nestjs/common';
import { actorName, type Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { IdGenerator } from '../../../common/ids';
import { Scope } from '../../../common/scopes';
import type { TenantId } from '../../../common/tenancy';
import { ORCHESTRATOR_IDS } from '../../../common/tokens';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import { describeSelector } from '../../../releases/releases.repository';
import { gateContext } from '../../gate-context';
import { PromotionChange, PromotionFlow } from '../../promotion-flow';
import type { PromotionView } from '../../promotion.model';
import { PromotionsRepository, toView, type PromotionRecord } from '../../promotions.repository';
import type { RequestPromotionCommand } from './request-promotion.command';

/**
 * requested -> evaluating -> (awaiting_approval | approved [-> deploying] | rejected), in one
 * transaction of a few statements. A denial is committed (with its decision record) and answered
 * with the refusal of the gate that failed.
 */
@Injectable()
export class RequestPromotionUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly flow: PromotionFlow,
    @Inject(ORCHESTRATOR_IDS) private readonly ids: IdGenerator,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: RequestPromotionCommand,
    options: { idempotency?: IdempotencyRequest; kind?: PromotionRecord['kind'] } = {},
  ): Promise<{ outcome: Outcome<PromotionView>; replayed: boolean }> {
    if (command.breakGlass && !actor.scopes.has(Scope.breakGlass)) {
      throw new OrchestratorError('BREAK_GLASS_SCOPE_REQUIRED', `break-glass needs the ${Scope.breakGlass} scope`, {
        requiredScope: Scope.breakGlass,
      });
    }
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const context = await this.promotions.requestContext(tx.manager, tenant, command.release, command.environment);
      if (!context.release) {
        const release = describeSelector(command.release);
        throw new OrchestratorError('RELEASE_NOT_FOUND', `release ${release} does not exist`, { release });
      }
      if (!context.environment) {
        throw new OrchestratorError('ENVIRONMENT_NOT_FOUND', `environment ${command.environment} does not exist`, {
          environment: command.environment,
        });
      }
      if (context.openPromotionId) {
        throw new OrchestratorError(
          'PROMOTION_ALREADY_ACTIVE',
          `${context.release.name}@${context.release.version} already has an open promotion into ${command.environment}`,
          { promotionId: context.openPromotionId, environment: command.environment },
        );
      }
      const at = tx.now.toISOString();
      const record: PromotionRecord = {
        id: this.ids.next(),
        kind: options.kind ?? 'promotion',
        state: 'requested',
        seq: 0,
        release: context.release,
        environment: command.environment,
        requestedBy: actorName(actor),
        requestedAt: at,
        ...(command.comment === undefined ? {} : { comment: command.comment }),
        ...(command.breakGlass ? { breakGlass: { by: actorName(actor), reason: command.breakGlass.reason, at } } : {}),
        updatedAt: at,
      };
      const change = new PromotionChange(record, true);
      this.flow.transition(tx, change, 'requested', actor, at, command.comment);
      this.flow.transition(tx, change, 'evaluating', actor, at);
      const facts = { environment: context.environment, path: context.path, approvals: [] };
      const evaluation = await this.flow.evaluate(
        gateContext({ tenant, now: tx.now, promotion: record, ...facts, priorSuccesses: context.priorSuccesses }),
      );
      const refusal = await this.flow.decide(tx, change, facts, evaluation, actor);
      await this.flow.save(tx, change);
      const view = toView(change.record, [], change.transitions);
      return refusal ? { ok: false as const, error: refusal.toJSON() } : { ok: true as const, value: view };
    });
  }
}

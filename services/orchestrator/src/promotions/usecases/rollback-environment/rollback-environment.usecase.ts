import { Injectable } from '@nestjs/common';
import type { Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { EnvironmentsRepository } from '../../../environments/environments.repository';
import { InventoryRepository } from '../../../inventory/inventory.repository';
import type { IdempotencyRequest, Outcome } from '../../../persistence/unit-of-work';
import { UnitOfWork } from '../../../persistence/unit-of-work';
import { ReleasesRepository } from '../../../releases/releases.repository';
import type { PromotionView } from '../../promotion.model';
import { RequestPromotionUseCase } from '../request-promotion/request-promotion.usecase';
import type { RollbackEnvironmentCommand } from './rollback-environment.command';

/**
 * Promotes an earlier release (one that already ran in the environment) back into it: the same
 * gates, approvals and decision record as any promotion, recorded with kind "rollback".
 */
@Injectable()
export class RollbackEnvironmentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly environments: EnvironmentsRepository,
    private readonly inventory: InventoryRepository,
    private readonly releases: ReleasesRepository,
    private readonly request: RequestPromotionUseCase,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: RollbackEnvironmentCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<PromotionView>; replayed: boolean }> {
    const m = this.uow.manager;
    await this.environments.get(m, tenant, command.environment);
    let releaseId: string;
    if (command.release) {
      releaseId = (await this.releases.get(m, tenant, command.release)).id;
      if (!(await this.inventory.everDeployed(m, tenant, command.environment, releaseId))) {
        throw new OrchestratorError('NOTHING_TO_ROLL_BACK', `that release never ran in ${command.environment}: promote it instead`, {
          environment: command.environment,
          release: releaseId,
        });
      }
    } else {
      const previous = await this.inventory.previousRelease(m, tenant, command.environment);
      if (!previous) {
        throw new OrchestratorError('NOTHING_TO_ROLL_BACK', `no earlier release ran in ${command.environment}`, {
          environment: command.environment,
        });
      }
      releaseId = previous.id;
    }
    return this.request.execute(
      tenant,
      actor,
      {
        release: { id: releaseId },
        environment: command.environment,
        comment: command.comment ?? `rollback of ${command.environment}`,
        ...(command.breakGlass ? { breakGlass: command.breakGlass } : {}),
      },
      { ...options, kind: 'rollback' },
    );
  }
}

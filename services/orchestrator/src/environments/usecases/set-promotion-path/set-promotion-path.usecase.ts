import { Injectable } from '@nestjs/common';
import { actorName, eventActor, type Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork } from '../../../persistence/unit-of-work';
import type { PromotionPath } from '../../environment.model';
import { EnvironmentsRepository } from '../../environments.repository';
import type { SetPromotionPathCommand } from './set-promotion-path.command';

/** Reorders the tenant's path; it must list every environment exactly once. */
@Injectable()
export class SetPromotionPathUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly environments: EnvironmentsRepository,
    private readonly events: OrchestratorEvents,
  ) {}

  async execute(tenant: TenantId, actor: Actor, command: SetPromotionPathCommand): Promise<PromotionPath> {
    return this.uow.run(tenant, async (tx) => {
      const current = await this.environments.path(tx.manager, tenant, true);
      const known = new Set(current.environments);
      const unknown = command.environments.filter((name) => !known.has(name));
      const missing = current.environments.filter((name) => !command.environments.includes(name));
      if (unknown.length > 0 || missing.length > 0) {
        throw new OrchestratorError(
          'INVALID_PROMOTION_PATH',
          'the path must list every environment of the tenant exactly once',
          { unknownEnvironments: unknown, missingEnvironments: missing },
        );
      }
      const path = { environments: command.environments, allowSkip: command.allowSkip, version: current.version + 1 };
      await this.environments.savePath(tx.manager, tenant, path, tx.now);
      tx.emit(
        this.events.build(
          'stella.orchestrator.promotion_path.updated',
          tenant,
          { tenantId: tenant, environments: path.environments, allowSkip: path.allowSkip, actor: eventActor(actor) },
          undefined,
          tx.now,
        ),
      );
      tx.record({
        action: 'promotion_path.updated',
        subject: { type: 'promotion_path', id: tenant },
        actor: actorName(actor),
        at: tx.now.toISOString(),
        data: { environments: path.environments, allowSkip: path.allowSkip, version: path.version },
      });
      return path;
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { actorName, eventActor, type Actor } from '../../../common/actor';
import type { TenantId } from '../../../common/tenancy';
import { IMAGE_RESOLVER } from '../../../common/tokens';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import type { ImageResolver } from '../../../releases/image-resolver';
import { ComponentsRepository, type ComponentView } from '../../components.repository';
import type { CreateComponentCommand } from './create-component.command';

/** Binds a component name to an image repository (normalized as references are). */
@Injectable()
export class CreateComponentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly components: ComponentsRepository,
    private readonly events: OrchestratorEvents,
    @Inject(IMAGE_RESOLVER) private readonly resolver: ImageResolver,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: CreateComponentCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<ComponentView>; replayed: boolean }> {
    const repository = this.resolver.normalizeRepository(command.repository);
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const component: ComponentView = {
        name: command.name,
        repository,
        autoRelease: command.autoRelease,
        createdAt: tx.now.toISOString(),
        createdBy: actorName(actor),
      };
      await this.components.insert(tx.manager, tenant, component);
      tx.emit(
        this.events.build(
          'stella.orchestrator.component.created',
          tenant,
          { tenantId: tenant, component: component.name, repository, autoRelease: component.autoRelease, actor: eventActor(actor) },
          component.name,
          tx.now,
        ),
      );
      tx.record({
        action: 'component.created',
        subject: { type: 'component', id: component.name },
        actor: component.createdBy,
        at: component.createdAt,
        data: { repository, autoRelease: component.autoRelease },
      });
      return { ok: true as const, value: component };
    });
  }
}

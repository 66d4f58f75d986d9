import { Inject, Injectable } from '@nestjs/common';
import { actorName, eventActor, type Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { IMAGE_RESOLVER } from '../../../common/tokens';
import { ComponentsRepository, type ComponentView } from '../../../components/components.repository';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import type { ImageResolver, ResolvedImage } from '../../image-resolver';
import { releaseManifest, type ReleaseView } from '../../release.model';
import { ReleasesRepository } from '../../releases.repository';
import type { CreateReleaseCommand } from './create-release.command';

/**
 * Creates an immutable release: every image is resolved and verified against the registry first
 * (outside the transaction), then components, release and events are written together. Any
 * failure before commit leaves nothing behind.
 */
@Injectable()
export class CreateReleaseUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly releases: ReleasesRepository,
    private readonly components: ComponentsRepository,
    private readonly events: OrchestratorEvents,
    @Inject(IMAGE_RESOLVER) private readonly resolver: ImageResolver,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: CreateReleaseCommand,
    options: { idempotency?: IdempotencyRequest; origin?: ReleaseView['origin'] } = {},
  ): Promise<{ outcome: Outcome<ReleaseView>; replayed: boolean }> {
    const bound = await this.repositoriesOf(tenant, command);
    // Refuse a duplicate before asking the registry (a replayed create is answered by the unit of work).
    if (!options.idempotency && (await this.releases.exists(this.uow.manager, tenant, command.name, command.version))) {
      throw versionExists(command);
    }
    const images = await this.resolveAll(command, bound);
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const at = tx.now.toISOString();
      const who = actorName(actor);
      const newComponents: ComponentView[] = command.components
        .filter((c) => !bound.existing.has(c.name))
        .map((c) => ({ name: c.name, repository: bound.repositories.get(c.name)!, autoRelease: false, createdAt: at, createdBy: who }));
      const inserted = await this.components.insertMissing(tx.manager, tenant, newComponents);
      if (inserted.length !== newComponents.length) {
        // Registered concurrently: check the binding again inside the transaction.
        await this.repositoriesOf(tenant, command, tx.manager);
      }
      const { manifest, id } = releaseManifest(
        command.name,
        command.version,
        command.components.map((c, i) => ({ name: c.name, repository: images[i]!.repository, digest: images[i]!.digest })),
      );
      const release: ReleaseView = {
        id,
        name: command.name,
        version: command.version,
        manifestDigest: id,
        manifest,
        components: command.components
          .map((c, i) => ({
            name: c.name,
            repository: images[i]!.repository,
            digest: images[i]!.digest,
            mediaType: images[i]!.mediaType,
            ...(images[i]!.tag === undefined ? {} : { tag: images[i]!.tag }),
            platforms: images[i]!.platforms,
          }))
          .sort((a, b) => (a.name < b.name ? -1 : 1)),
        origin: options.origin ?? 'api',
        createdAt: at,
        createdBy: who,
      };
      await this.releases.insert(tx.manager, tenant, release);
      for (const c of newComponents.filter((n) => inserted.includes(n.name))) {
        tx.emit(
          this.events.build(
            'stella.orchestrator.component.created',
            tenant,
            { tenantId: tenant, component: c.name, repository: c.repository, autoRelease: false, actor: eventActor(actor) },
            c.name,
            tx.now,
          ),
        );
        tx.record({
          action: 'component.created',
          subject: { type: 'component', id: c.name },
          actor: who,
          at,
          data: { repository: c.repository, autoRelease: false },
        });
      }
      tx.emit(
        this.events.build(
          'stella.orchestrator.release.created',
          tenant,
          {
            tenantId: tenant,
            release: { id, name: release.name, version: release.version },
            components: manifest.components,
            origin: release.origin,
            actor: eventActor(actor),
          },
          id,
          tx.now,
        ),
      );
      tx.record({
        action: 'release.created',
        subject: { type: 'release', id },
        actor: who,
        at,
        data: {
          name: release.name,
          version: release.version,
          manifestDigest: id,
          components: release.components.map((c) => ({ name: c.name, repository: c.repository, digest: c.digest, tag: c.tag ?? null })),
          origin: release.origin,
        },
      });
      return { ok: true as const, value: release };
    });
  }

  /** Each component's repository: from the request, or the existing binding (which must agree). */
  private async repositoriesOf(
    tenant: TenantId,
    command: CreateReleaseCommand,
    manager = this.uow.manager,
  ): Promise<{ repositories: Map<string, string>; existing: Set<string> }> {
    const known = new Map(
      (await this.components.list(manager, tenant, command.components.map((c) => c.name))).map((c) => [c.name, c.repository]),
    );
    const repositories = new Map<string, string>();
    for (const c of command.components) {
      const requested = c.repository === undefined ? undefined : this.resolver.normalizeRepository(c.repository);
      const bound = known.get(c.name);
      if (bound !== undefined && requested !== undefined && bound !== requested) {
        throw new OrchestratorError(
          'COMPONENT_REPOSITORY_MISMATCH',
          `component ${c.name} is bound to ${bound}, not ${requested}`,
          { component: c.name, repository: bound, requested },
        );
      }
      const repository = bound ?? requested;
      if (repository === undefined) {
        throw new OrchestratorError(
          'COMPONENT_NOT_FOUND',
          `component ${c.name} does not exist: give its repository to register it`,
          { component: c.name },
        );
      }
      repositories.set(c.name, repository);
    }
    return { repositories, existing: new Set(known.keys()) };
  }

  /** All images at once; the first failure in request order is reported (deterministic). */
  private async resolveAll(
    command: CreateReleaseCommand,
    bound: { repositories: Map<string, string> },
  ): Promise<ResolvedImage[]> {
    const settled = await Promise.allSettled(
      command.components.map((c) =>
        this.resolver.resolve(bound.repositories.get(c.name)!, {
          ...(c.tag === undefined ? {} : { tag: c.tag }),
          ...(c.digest === undefined ? {} : { digest: c.digest }),
        }),
      ),
    );
    const images: ResolvedImage[] = [];
    for (const [i, result] of settled.entries()) {
      if (result.status === 'rejected') {
        const error = result.reason as unknown;
        if (error instanceof OrchestratorError) {
          throw new OrchestratorError(error.code, `component ${command.components[i]!.name}: ${error.message}`, {
            component: command.components[i]!.name,
            ...error.details,
          }, { cause: error });
        }
        throw error;
      }
      images.push(result.value);
    }
    return images;
  }
}

function versionExists(command: CreateReleaseCommand): OrchestratorError {
  return new OrchestratorError('RELEASE_VERSION_EXISTS', `release ${command.name}@${command.version} already exists`, {
    name: command.name,
    version: command.version,
  });
}

import { Inject, Injectable } from '@nestjs/common';
import semver from 'semver';
import { REGISTRY_INTAKE_ACTOR } from '../../../common/actor';
import { parseCommand } from '../../../common/command';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { IMAGE_RESOLVER } from '../../../common/tokens';
import { ComponentsRepository } from '../../../components/components.repository';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork } from '../../../persistence/unit-of-work';
import { query } from '../../../persistence/sql';
import { idempotencyRequest } from '../../../persistence/unit-of-work';
import type { ImageResolver } from '../../../releases/image-resolver';
import { CreateReleaseUseCase } from '../../../releases/usecases/create-release/create-release.usecase';
import { registryNotificationSchema } from '../../registry-notification';

export interface IntakeResult {
  received: number;
  created: Array<{ releaseId: string; name: string; version: string }>;
  ignored: Array<{ eventId: string; reason: 'not_semver' | 'version_exists' | 'unresolvable' | 'duplicate' | 'not_a_tag_push' | 'no_component'; detail?: string }>;
}

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/**
 * Registry push notifications -> release candidates. A SemVer tag pushed to a repository bound
 * to an auto-release component becomes release `<component>@<version>`; the tag is resolved
 * through the registry and must point to the notified digest, so a forged body creates nothing.
 */
@Injectable()
export class RegisterReleaseCandidatesUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly components: ComponentsRepository,
    private readonly createRelease: CreateReleaseUseCase,
    private readonly events: OrchestratorEvents,
    @Inject(IMAGE_RESOLVER) private readonly resolver: ImageResolver,
  ) {}

  async execute(tenant: TenantId, body: unknown): Promise<IntakeResult> {
    const notification = parseCommand(registryNotificationSchema, body, 'registry notification');
    const result: IntakeResult = { received: notification.events.length, created: [], ignored: [] };
    for (const event of notification.events) {
      const { target } = event;
      if (event.action !== 'push' || !target.tag || !target.digest || (target.mediaType && !MANIFEST_TYPES.has(target.mediaType))) {
        result.ignored.push({ eventId: event.id, reason: 'not_a_tag_push' });
        continue;
      }
      let repository: string;
      try {
        repository = this.resolver.normalizeRepository(event.request?.host ? `${event.request.host}/${target.repository}` : target.repository);
      } catch {
        result.ignored.push({ eventId: event.id, reason: 'no_component', detail: 'invalid repository' });
        continue;
      }
      const components = await this.components.autoReleaseFor(this.uow.manager, tenant, repository);
      if (components.length === 0) {
        result.ignored.push({ eventId: event.id, reason: 'no_component' });
        continue;
      }
      const first = await query(
        this.uow.manager,
        'INSERT INTO registry_notifications (tenant_id, event_id, received_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING RETURNING 1',
        [tenant, event.id],
      );
      if (first.length === 0) {
        result.ignored.push({ eventId: event.id, reason: 'duplicate' });
        continue;
      }
      const version = target.tag.replace(/^v(?=\d)/, '');
      for (const component of components) {
        if (semver.valid(version) !== version) {
          await this.ignore(tenant, event.id, repository, target.tag, target.digest, 'not_semver', result);
          continue;
        }
        const command = {
          name: component.name,
          version,
          components: [{ name: component.name, tag: target.tag, digest: target.digest }],
        };
        try {
          const created = await this.createRelease.execute(tenant, REGISTRY_INTAKE_ACTOR, command, {
            origin: 'registry-notification',
            ...{ idempotency: idempotencyRequest(`registry-notification:${component.name}:${event.id}`.slice(0, 255), 'release.create', command)! },
          });
          if (created.outcome.ok) {
            const r = created.outcome.value;
            result.created.push({ releaseId: r.id, name: r.name, version: r.version });
          }
        } catch (error) {
          if (!(error instanceof OrchestratorError)) throw error;
          const reason = error.code === 'RELEASE_VERSION_EXISTS' ? 'version_exists' : 'unresolvable';
          await this.ignore(tenant, event.id, repository, target.tag, target.digest, reason, result, `${error.code}: ${error.message}`);
        }
      }
    }
    return result;
  }

  private async ignore(
    tenant: TenantId,
    eventId: string,
    repository: string,
    tag: string,
    digest: string,
    reason: 'not_semver' | 'version_exists' | 'unresolvable',
    result: IntakeResult,
    detail?: string,
  ): Promise<void> {
    result.ignored.push({ eventId, reason, ...(detail ? { detail } : {}) });
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) return;
    await this.uow.run(tenant, async (tx) => {
      tx.emit(
        this.events.build('stella.orchestrator.release_candidate.ignored', tenant, {
          tenantId: tenant,
          repository,
          tag,
          digest,
          reason,
          ...(detail ? { detail: detail.slice(0, 2048) } : {}),
        }),
      );
      tx.record({
        action: 'release_candidate.ignored',
        subject: { type: 'repository', id: repository },
        actor: 'system:registry-intake',
        at: tx.now.toISOString(),
        data: { eventId, tag, digest, reason, ...(detail ? { detail } : {}) },
      });
    });
  }
}

import { Injectable } from '@nestjs/common';
import {
  promotionTransitionSchema,
  releaseCreatedV1,
  PROMOTION_STATES,
  type AnyCloudEvent,
  type PromotionStateName,
} from '@stella/contracts';
import type { EntityManager } from 'typeorm';
import { ReleasesRepository } from './releases.repository';

const PROMOTION_PREFIX = 'stella.orchestrator.promotion.';

/**
 * Keeps the orchestrator's release and promotion facts the policy service needs: release digests
 * (release.created), promotion states (promotion.*) and what is deployed where (promotion.deployed).
 */
@Injectable()
export class OrchestratorEventsHandler {
  constructor(private readonly releases: ReleasesRepository) {}

  async handle(event: AnyCloudEvent, manager: EntityManager): Promise<void> {
    if (event.type === releaseCreatedV1.type) {
      const data = releaseCreatedV1.schema.parse(event.data);
      await this.releases.upsertRelease(
        manager,
        {
          tenantId: data.tenantId,
          releaseId: data.release.id,
          name: data.release.name,
          version: data.release.version,
          components: data.components.map((c) => ({ name: c.name, repository: c.repository, digest: c.digest })),
          createdBy: `${data.actor.type}:${data.actor.id}`,
        },
        new Date(event.time),
      );
      return;
    }
    if (!event.type.startsWith(PROMOTION_PREFIX)) return;
    const state = event.type.slice(PROMOTION_PREFIX.length) as PromotionStateName;
    if (!(PROMOTION_STATES as readonly string[]).includes(state)) return;
    const data = promotionTransitionSchema(state).safeParse(event.data);
    if (!data.success) return;
    const t = data.data;
    const at = new Date(t.at);
    // The release row may not exist yet when the policy service started after it was created.
    await this.releases.recordTransition(manager, {
      tenantId: t.tenantId,
      promotionId: t.promotionId,
      releaseId: t.release.id,
      environment: t.environment,
      state,
      seq: t.seq,
      at,
    });
    if (state === 'deployed')
      await this.releases.recordDeployment(manager, {
        tenantId: t.tenantId,
        environment: t.environment,
        releaseId: t.release.id,
        promotionId: t.promotionId,
        at,
      });
  }
}

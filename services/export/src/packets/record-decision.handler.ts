import { canonicalize } from '@stella/canonical';
import { currentEventDefinition, type AnyCloudEvent } from '@stella/contracts';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import type { ExportRepository } from './export.repository';

export const DECISION_RECORDED_TYPE = 'stella.orchestrator.decision.recorded' as const;
export const RELEASE_CREATED_TYPE = 'stella.orchestrator.release.created' as const;
/** The orchestrator's release manifest format (its id is the digest of this object's canonical JSON). */
export const RELEASE_MANIFEST_SCHEMA = 'https://stella-ops.dev/schemas/release-manifest/v1';

/**
 * Keeps what the orchestrator recorded and what a packet needs later: each decision record with
 * its inputs document (`decision.recorded`), and each release manifest (`release.created`).
 */
export class RecordOrchestratorFactsHandler {
  constructor(
    private readonly repository: ExportRepository,
    private readonly clock: Clock,
  ) {}

  async handle(event: AnyCloudEvent, manager: EntityManager): Promise<void> {
    if (event.type === DECISION_RECORDED_TYPE) {
      const data = currentEventDefinition(DECISION_RECORDED_TYPE).schema.parse(event.data);
      const record = data.record as { evaluatedAt?: string };
      await this.repository.saveDecision(
        manager,
        {
          tenantId: data.tenantId,
          decisionId: data.decisionId,
          promotionId: data.promotionId,
          environment: data.environment,
          verdict: data.verdict,
          releaseDigest: data.releaseManifestDigest,
          evaluatedAt: new Date(record.evaluatedAt ?? event.time ?? this.clock.now().toISOString()),
          record: canonicalize(data.record),
          inputs: data.inputs === undefined ? null : canonicalize(data.inputs),
        },
        this.clock.now(),
      );
      return;
    }
    if (event.type === RELEASE_CREATED_TYPE) {
      const data = currentEventDefinition(RELEASE_CREATED_TYPE).schema.parse(event.data);
      // Rebuilt exactly as the orchestrator builds it; the packet's verifier checks the digest.
      const manifest = {
        schema: RELEASE_MANIFEST_SCHEMA,
        name: data.release.name,
        version: data.release.version,
        components: [...data.components]
          .map((c) => ({ name: c.name, repository: c.repository, digest: c.digest }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      };
      // Kept under the release's identity as the orchestrator announced it; a mismatch shows in `stella verify`.
      await this.repository.saveRelease(manager, data.tenantId, data.release.id, canonicalize(manifest));
    }
  }
}

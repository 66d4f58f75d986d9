import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { advisoryEnrichedV1, advisoryUpsertedV1, scanCompletedV1, vexUpdatedV1, type AnyCloudEvent } from '@stella/contracts';
import type { Logger } from '@stella/observability';
import { STELLA_LOGGER } from '@stella/platform';
import type { EntityManager } from 'typeorm';
import { isUpstreamError } from '../clients/upstreams';
import { BuildFindings, MissingSbomError } from '../findings/build-findings.usecase';
import { RecomputeFindings } from './recompute-findings';
import { ReevaluateReleases, type ReevaluationReport } from './reevaluate-releases';

export interface IntelOutcome extends Partial<ReevaluationReport> {
  affected: number;
  recomputed: number;
  /** Milliseconds spent recomputing findings and re-evaluating releases. */
  recomputeMs?: number;
  reevaluateMs?: number;
}

/**
 * The inbox handlers of advisory, VEX and scan events. Each runs inside the inbox transaction:
 * new findings snapshots, evaluations and risk events commit with the inbox row, exactly once.
 * An unreachable scanner, concelier or excititor throws: the event is redelivered with backoff.
 */
@Injectable()
export class IntelEventsHandler {
  /** The last outcome, for logs and the benchmark. */
  lastOutcome: IntelOutcome | null = null;

  constructor(
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly recompute: RecomputeFindings,
    private readonly reevaluate: ReevaluateReleases,
    private readonly build: BuildFindings,
  ) {}

  async handle(event: AnyCloudEvent, manager: EntityManager): Promise<void> {
    if (event.type === advisoryUpsertedV1.type) return this.advisory(advisoryUpsertedV1.schema.parse(event.data), manager);
    if (event.type === advisoryEnrichedV1.type) return this.enriched(advisoryEnrichedV1.schema.parse(event.data), manager);
    if (event.type === vexUpdatedV1.type) return this.vex(vexUpdatedV1.schema.parse(event.data), manager);
    if (event.type === scanCompletedV1.type) return this.scan(scanCompletedV1.schema.parse(event.data), manager);
  }

  private async advisory(data: ReturnType<typeof advisoryUpsertedV1.schema.parse>, manager: EntityManager): Promise<void> {
    const started = performance.now();
    const recomputed = await this.recompute.forAdvisory(data.packageKeys);
    const recomputeMs = Math.round(performance.now() - started);
    const report = await this.reevaluate.run(manager, recomputed.changed, {
      kind: 'advisory',
      advisoryId: data.advisoryId,
      documentHash: data.documentHash,
      feedSnapshotId: data.snapshotId,
    });
    const reevaluateMs = Math.round(performance.now() - started) - recomputeMs;
    this.done({ affected: recomputed.affected.length, recomputed: recomputed.recomputed, ...report, recomputeMs, reevaluateMs }, data.advisoryId);
  }

  /**
   * After a KEV catalogue or EPSS file changed: the components of the advisories concerned are
   * matched again (concelier's matches carry the new kev/epss), so findings whose KEV flag or EPSS
   * score moved get a new snapshot and the releases holding them are re-evaluated.
   */
  private async enriched(data: ReturnType<typeof advisoryEnrichedV1.schema.parse>, manager: EntityManager): Promise<void> {
    const started = performance.now();
    const recomputed = await this.recompute.forAdvisory(data.packageKeys);
    const recomputeMs = Math.round(performance.now() - started);
    const report = await this.reevaluate.run(manager, recomputed.changed, {
      kind: 'enrichment',
      source: data.source,
      documentHash: data.documentHash,
      feedSnapshotId: data.snapshotId,
      cveIds: [...new Set(data.changes.map((c) => c.cveId))].sort(),
    });
    const reevaluateMs = Math.round(performance.now() - started) - recomputeMs;
    this.done(
      { affected: recomputed.affected.length, recomputed: recomputed.recomputed, ...report, recomputeMs, reevaluateMs },
      `${data.source}@${data.documentHash} part ${data.part}/${data.parts}`,
    );
  }

  private async vex(data: ReturnType<typeof vexUpdatedV1.schema.parse>, manager: EntityManager): Promise<void> {
    const recomputed = await this.recompute.forVex(data.vulnerabilityId, data.productKey);
    const report = await this.reevaluate.run(manager, recomputed.changed, {
      kind: 'vex',
      vulnerabilityId: data.vulnerabilityId,
      productKey: data.productKey,
      status: data.status,
      documentId: data.documentId,
      documentHash: data.documentHash,
    });
    this.done({ affected: recomputed.affected.length, recomputed: recomputed.recomputed, ...report }, data.vulnerabilityId);
  }

  /** A new scan: the digest's first findings snapshot (evaluations then find it ready). */
  private async scan(data: ReturnType<typeof scanCompletedV1.schema.parse>, manager: EntityManager): Promise<void> {
    try {
      await this.build.execute(data.imageDigest, { kind: 'scan', scanId: data.scanId }, manager);
    } catch (error) {
      // Nothing to build from (yet): an evaluation builds the snapshot when it needs it.
      if (error instanceof MissingSbomError || (isUpstreamError(error) && error.code === 'NOT_CONFIGURED')) {
        this.logger.warn({ err: error, digest: data.imageDigest }, 'findings not built after scan');
        return;
      }
      throw error;
    }
  }

  private done(outcome: IntelOutcome, about: string): void {
    this.lastOutcome = outcome;
    this.logger.info({ ...outcome, about }, 're-evaluation done');
  }
}

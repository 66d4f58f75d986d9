import { Inject, Injectable } from '@nestjs/common';
import { AdvisoryIndex, cycloneDxComponents, isMatchingError, type MatchReport } from '@stella/matching';
import { ProblemError, STELLA_CONFIG } from '@stella/platform';
import type { ConcelierConfig } from '../config/concelier-config';
import { AdvisoryStore, type Snapshot } from '../persistence/advisory-store';

export interface MatchResult extends MatchReport {
  /** The feed snapshot matched against: record it with any decision to replay it later. */
  readonly snapshotId: string;
}

/**
 * Matches a CycloneDX SBOM against the advisories of a feed snapshot (the latest by default).
 * Indexes are built once per snapshot and kept warm (an LRU of STELLA_CONCELIER_INDEX_CACHE_SIZE).
 */
@Injectable()
export class MatchSbom {
  private readonly indexes = new Map<string, Promise<AdvisoryIndex>>();

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ConcelierConfig,
    private readonly store: AdvisoryStore,
  ) {}

  async execute(sbom: unknown, snapshotId?: string): Promise<MatchResult> {
    const snapshot = snapshotId
      ? await this.store.findSnapshot(snapshotId)
      : await this.store.latestSnapshot();
    if (!snapshot)
      throw new ProblemError(404, {
        type: snapshotId ? 'snapshot-not-found' : 'no-advisories',
        title: snapshotId ? 'Feed snapshot not found' : 'No advisories imported yet',
        ...(snapshotId ? { detail: snapshotId, field: 'snapshotId' } : {}),
      });
    let parsed;
    try {
      parsed = cycloneDxComponents(sbom);
    } catch (error) {
      if (isMatchingError(error))
        throw new ProblemError(422, {
          type: 'invalid-sbom',
          title: 'Invalid SBOM',
          detail: error.message,
          field: 'sbom',
        });
      throw error;
    }
    const index = await this.indexFor(snapshot);
    const report = index.match(parsed.components);
    return { ...report, skipped: [...parsed.skipped, ...report.skipped], snapshotId: snapshot.id };
  }

  private indexFor(snapshot: Snapshot): Promise<AdvisoryIndex> {
    const cached = this.indexes.get(snapshot.id);
    if (cached) {
      this.indexes.delete(snapshot.id);
      this.indexes.set(snapshot.id, cached);
      return cached;
    }
    const building = this.store.observationsAt(snapshot.maxSeq).then((contents) => {
      const index = new AdvisoryIndex();
      for (const content of contents) index.addContent(content);
      return index;
    });
    building.catch(() => this.indexes.delete(snapshot.id));
    this.indexes.set(snapshot.id, building);
    while (this.indexes.size > this.config.concelierIndexCacheSize)
      this.indexes.delete(this.indexes.keys().next().value!);
    return building;
  }
}

import { Injectable } from '@nestjs/common';
import { ProblemError } from '@stella/platform';
import { AdvisoryStore, type ObservationRow } from '../persistence/advisory-store';

const MAX_ROUNDS = 6;
const MAX_IDS = 500;

export interface AdvisoryView {
  readonly id: string;
  /** Every id linked to `id` through aliases (CVE <-> GHSA <-> DSA ...), sorted. */
  readonly linkSet: readonly string[];
  /** The observations behind the link set, each pointing at its original document. Never merged. */
  readonly observations: ReadonlyArray<{
    readonly source: string;
    readonly key: string;
    readonly documentHash: string;
    readonly importedAt: Date;
    readonly importId: string;
    /** False when a newer document with the same (source, key) was imported; the old one stays. */
    readonly current: boolean;
    readonly observation: unknown;
  }>;
}

/** An advisory with its alias link set, built by following aliases across sources. */
@Injectable()
export class AdvisoryLinks {
  constructor(private readonly store: AdvisoryStore) {}

  async execute(id: string): Promise<AdvisoryView> {
    const ids = new Set([id]);
    let frontier = [id];
    let rows: ObservationRow[] = [];
    for (let round = 0; round < MAX_ROUNDS && frontier.length > 0 && ids.size < MAX_IDS; round++) {
      rows = await this.store.observationsFor([...ids]);
      const next: string[] = [];
      for (const row of rows) {
        if (!row.current || row.normalized.kind !== 'advisory') continue;
        for (const linked of [row.normalized.advisory.id, ...row.normalized.advisory.aliases]) {
          if (!ids.has(linked) && ids.size < MAX_IDS) {
            ids.add(linked);
            next.push(linked);
          }
        }
      }
      frontier = next;
    }
    if (frontier.length > 0) rows = await this.store.observationsFor([...ids]);
    if (rows.length === 0)
      throw new ProblemError(404, { type: 'advisory-not-found', title: 'Advisory not found', detail: id });
    return {
      id,
      linkSet: [...ids].sort(),
      observations: rows.map((row) => ({
        source: row.source,
        key: row.key,
        documentHash: row.contentHash,
        importedAt: row.importedAt,
        importId: row.importId,
        current: row.current,
        observation: row.normalized,
      })),
    };
  }
}

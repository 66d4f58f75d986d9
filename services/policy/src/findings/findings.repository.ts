import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { FindingsDocument } from './findings-document';

export interface FindingsSnapshotRow {
  id: string;
  imageDigest: string;
  feedSnapshotId: string | null;
  vexSnapshotId: string | null;
  document: FindingsDocument;
  createdAt: Date;
  cause: Record<string, unknown>;
}

/** What made a snapshot: a scan, a request, an advisory or a VEX change. */
export type FindingsCause =
  | { kind: 'scan'; scanId: string }
  | { kind: 'request'; by: string }
  | { kind: 'evaluation' }
  | { kind: 'advisory'; advisoryId: string; documentHash: string }
  | { kind: 'vex'; vulnerabilityId: string; productKey: string; documentHash: string };

interface Row {
  id: string;
  image_digest: string;
  feed_snapshot_id: string | null;
  vex_snapshot_id: string | null;
  document: FindingsDocument;
  created_at: Date;
  cause: Record<string, unknown>;
}

const toRow = (r: Row): FindingsSnapshotRow => ({
  id: r.id,
  imageDigest: r.image_digest,
  feedSnapshotId: r.feed_snapshot_id,
  vexSnapshotId: r.vex_snapshot_id,
  document: r.document,
  createdAt: r.created_at,
  cause: r.cause,
});

/** Findings snapshots per image digest (insert-only, content-addressed) and the current one of each digest. */
@Injectable()
export class FindingsRepository {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Stores snapshots (skipping ids already stored) and points each digest at its new one. */
  async saveMany(
    manager: EntityManager,
    snapshots: ReadonlyArray<{ id: string; document: FindingsDocument; cause: FindingsCause }>,
    now: Date,
  ): Promise<void> {
    if (snapshots.length === 0) return;
    await manager.query(
      `INSERT INTO ${this.s}.findings_snapshot (id, image_digest, feed_snapshot_id, vex_snapshot_id, document, created_at, cause)
       SELECT x.id, x.image_digest, x.feed, x.vex, x.document, $2, x.cause
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, image_digest text, feed text, vex text, document jsonb, cause jsonb)
       ON CONFLICT (id) DO NOTHING`,
      [
        JSON.stringify(
          snapshots.map((s) => ({
            id: s.id,
            image_digest: s.document.imageDigest,
            feed: s.document.feedSnapshotId,
            vex: s.document.vexSnapshotId,
            document: s.document,
            cause: s.cause,
          })),
        ),
        now,
      ],
    );
    await manager.query(
      `INSERT INTO ${this.s}.current_findings (image_digest, snapshot_id, updated_at)
       SELECT x.image_digest, x.id, $2 FROM jsonb_to_recordset($1::jsonb) AS x(id text, image_digest text)
       ON CONFLICT (image_digest) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id, updated_at = EXCLUDED.updated_at`,
      [JSON.stringify(snapshots.map((s) => ({ id: s.id, image_digest: s.document.imageDigest }))), now],
    );
  }

  async current(digest: string, manager: EntityManager = this.manager): Promise<FindingsSnapshotRow | null> {
    const rows: Row[] = await manager.query(
      `SELECT f.* FROM ${this.s}.current_findings c JOIN ${this.s}.findings_snapshot f ON f.id = c.snapshot_id
       WHERE c.image_digest = $1`,
      [digest],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async currentMany(digests: readonly string[], manager: EntityManager = this.manager): Promise<Map<string, FindingsSnapshotRow>> {
    if (digests.length === 0) return new Map();
    const rows: Row[] = await manager.query(
      `SELECT f.* FROM ${this.s}.current_findings c JOIN ${this.s}.findings_snapshot f ON f.id = c.snapshot_id
       WHERE c.image_digest = ANY($1::text[])`,
      [digests],
    );
    return new Map(rows.map((r) => [r.image_digest, toRow(r)]));
  }

  async byId(id: string): Promise<FindingsSnapshotRow | null> {
    const rows: Row[] = await this.manager.query(`SELECT * FROM ${this.s}.findings_snapshot WHERE id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async history(digest: string, limit: number): Promise<Array<Omit<FindingsSnapshotRow, 'document'>>> {
    const rows: Row[] = await this.manager.query(
      `SELECT id, image_digest, feed_snapshot_id, vex_snapshot_id, NULL::jsonb AS document, created_at, cause
       FROM ${this.s}.findings_snapshot WHERE image_digest = $1 ORDER BY seq DESC LIMIT $2`,
      [digest, limit],
    );
    return rows.map((r) => {
      const { document: _document, ...rest } = toRow(r);
      return rest;
    });
  }
}

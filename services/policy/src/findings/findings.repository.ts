import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { prepareComponents, type PolicyInputComponent } from '@stella/policy-engine';
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
  | { kind: 'vex'; vulnerabilityId: string; productKey: string; documentHash: string }
  | { kind: 'enrichment'; source: 'kev' | 'epss'; documentHash: string };

const COMPONENT_CACHE_SIZE = 256;

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

/**
 * A stored component list validated, frozen and serialised once by the engine (an input holding
 * it is then prepared without doing so again); a list the engine refuses stays as it is, for the
 * evaluation to report.
 */
function prepared(list: PolicyInputComponent[]): PolicyInputComponent[] {
  try {
    return prepareComponents(list) as PolicyInputComponent[];
  } catch {
    return list;
  }
}

/** Findings snapshots per image digest (insert-only, content-addressed) and the current one of each digest. */
@Injectable()
export class FindingsRepository {
  private readonly s: string;
  /** sbom_components rows are insert-only: what was read once stays true (a small LRU). */
  private readonly componentCache = new Map<string, PolicyInputComponent[]>();

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Stores snapshots (skipping ids already stored) and points each digest at its new one. */
  async saveMany(
    manager: EntityManager,
    snapshots: ReadonlyArray<{
      id: string;
      document: FindingsDocument;
      cause: FindingsCause;
      components?: readonly PolicyInputComponent[] | undefined;
    }>,
    now: Date,
  ): Promise<void> {
    if (snapshots.length === 0) return;
    const sboms = new Map<string, readonly PolicyInputComponent[]>();
    for (const s of snapshots) if (s.components) sboms.set(s.document.sbomDigest, s.components);
    if (sboms.size > 0)
      await manager.query(
        `INSERT INTO ${this.s}.sbom_components (sbom_digest, component_count, components, created_at)
         SELECT x.sbom_digest, jsonb_array_length(x.components), x.components, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(sbom_digest text, components jsonb)
         ON CONFLICT (sbom_digest) DO NOTHING`,
        [JSON.stringify([...sboms].map(([sbom_digest, components]) => ({ sbom_digest, components }))), now],
      );
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

  /** Components of SBOMs, by SBOM digest. */
  async components(sbomDigests: readonly string[], manager: EntityManager = this.manager): Promise<Map<string, PolicyInputComponent[]>> {
    const out = new Map<string, PolicyInputComponent[]>();
    const missing: string[] = [];
    for (const digest of new Set(sbomDigests)) {
      const cached = this.componentCache.get(digest);
      if (cached) out.set(digest, cached);
      else missing.push(digest);
    }
    if (missing.length === 0) return out;
    const rows: Array<{ sbom_digest: string; components: PolicyInputComponent[] }> = await manager.query(
      `SELECT sbom_digest, components FROM ${this.s}.sbom_components WHERE sbom_digest = ANY($1::text[])`,
      [missing],
    );
    for (const r of rows) {
      const list = prepared(r.components);
      out.set(r.sbom_digest, list);
      this.componentCache.set(r.sbom_digest, list);
    }
    while (this.componentCache.size > COMPONENT_CACHE_SIZE) this.componentCache.delete(this.componentCache.keys().next().value!);
    return out;
  }

  /**
   * Components of the images' current SBOMs whose purl starts with one of the package purls
   * (`pkg:npm/lodash` matches `pkg:npm/lodash@…`): only what an advisory concerns is read.
   */
  async componentsMatching(
    imageDigests: readonly string[],
    packagePurls: readonly string[],
    manager: EntityManager = this.manager,
  ): Promise<Map<string, PolicyInputComponent[]>> {
    const out = new Map<string, PolicyInputComponent[]>();
    if (imageDigests.length === 0 || packagePurls.length === 0) return out;
    // Images of one SBOM share its components: expand each distinct SBOM once.
    const images: Array<{ image_digest: string; sbom_digest: string }> = await manager.query(
      `SELECT c.image_digest, f.document->>'sbomDigest' AS sbom_digest
       FROM ${this.s}.current_findings c JOIN ${this.s}.findings_snapshot f ON f.id = c.snapshot_id
       WHERE c.image_digest = ANY($1::text[])`,
      [imageDigests],
    );
    const sboms = [...new Set(images.map((i) => i.sbom_digest))];
    const rows: Array<{ sbom_digest: string; component: PolicyInputComponent }> = await manager.query(
      `SELECT s.sbom_digest, e.component
       FROM ${this.s}.sbom_components s CROSS JOIN LATERAL jsonb_array_elements(s.components) AS e(component)
       WHERE s.sbom_digest = ANY($1::text[]) AND e.component->>'purl' LIKE ANY($2::text[])`,
      [sboms, packagePurls.map((p) => `${p.replace(/[\\%_]/g, (m) => `\\${m}`)}@%`)],
    );
    const bySbom = new Map<string, PolicyInputComponent[]>();
    for (const r of rows) {
      const list = bySbom.get(r.sbom_digest) ?? [];
      list.push(r.component);
      bySbom.set(r.sbom_digest, list);
    }
    for (const i of images) {
      const list = bySbom.get(i.sbom_digest);
      if (list) out.set(i.image_digest, list);
    }
    return out;
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

import { Inject, Injectable } from '@nestjs/common';
import { digestOf } from '@stella/canonical';
import { quoteSchema, schemaOf } from '@stella/db';
import {
  advisoryPackageKey,
  isMatchingError,
  type ParsedContent,
  type RecordIssue,
  type SourceRecord,
} from '@stella/matching';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';

const CHUNK = 1000;

export interface StoredDocument {
  readonly seq: string;
  readonly source: string;
  readonly key: string;
  readonly contentHash: string;
  readonly content: ParsedContent;
  /** An earlier document with the same (source, key) exists; it stays as it was. */
  readonly supersedes: boolean;
  readonly packageKeys: readonly string[];
}

export interface ImportRun {
  readonly id: string;
  readonly source: string;
  readonly origin: string;
  readonly requestedBy: string;
  readonly tenantId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly recordsRead: number;
  readonly documentsNew: number;
  readonly documentsUnchanged: number;
  readonly recordsRefused: number;
  readonly issues: readonly RecordIssue[];
  readonly snapshotId: string;
}

export interface Snapshot {
  readonly id: string;
  readonly maxSeq: string;
  readonly documentCount: number;
  readonly importId: string;
  readonly createdAt: Date;
}

export interface ObservationRow {
  readonly seq: string;
  readonly source: string;
  readonly key: string;
  readonly contentHash: string;
  readonly importedAt: Date;
  readonly importId: string;
  readonly current: boolean;
  readonly normalized: ParsedContent;
}

/** The advisory ids an observation answers to: its key and its aliases. */
function idsOf(content: ParsedContent, key: string): string[] {
  if (content.kind !== 'advisory') return [key];
  return [...new Set([content.advisory.id, ...content.advisory.aliases])];
}

export function packageKeysOf(content: ParsedContent): string[] {
  if (content.kind !== 'advisory') return [];
  const keys = new Set<string>();
  for (const affected of content.advisory.affected) {
    try {
      keys.add(advisoryPackageKey(affected.ecosystem, affected.name).key);
    } catch (error) {
      if (!isMatchingError(error)) throw error;
    }
  }
  return [...keys];
}

/**
 * Postgres side of concelier. Every write is an INSERT: documents, observations, aliases,
 * snapshots and import runs are never updated (the schema's triggers refuse it).
 */
@Injectable()
export class AdvisoryStore {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Serialises imports: a snapshot is computed over a settled set of documents. */
  async lockImports(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `${schemaOf(this.dataSource)}:concelier-import`,
    ]);
  }

  /**
   * Stores the records whose content differs from the current document with the same (source,
   * key); identical re-imports store nothing. Returns what was stored and how many were unchanged.
   */
  async storeRecords(
    manager: EntityManager,
    records: readonly SourceRecord[],
    importId: string,
    importedAt: Date,
  ): Promise<{ stored: StoredDocument[]; unchanged: number }> {
    // A file may hold the same key twice; the later record is the one that counts.
    const byKey = new Map<string, SourceRecord>();
    for (const record of records) byKey.set(`${record.source}\u0000${record.key}`, record);
    const unique = [...byKey.values()];
    const current = new Map<string, string>();
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      const rows: Array<{ source: string; document_key: string; content_hash: string }> = await manager.query(
        `SELECT DISTINCT ON (d.source, d.document_key) d.source, d.document_key, d.content_hash
           FROM ${this.s}.raw_document d
           JOIN unnest($1::text[], $2::text[]) AS k(source, document_key) USING (source, document_key)
          ORDER BY d.source, d.document_key, d.seq DESC`,
        [chunk.map((r) => r.source), chunk.map((r) => r.key)],
      );
      for (const row of rows) current.set(`${row.source}\u0000${row.document_key}`, row.content_hash);
    }
    const fresh = unique.filter((r) => current.get(`${r.source}\u0000${r.key}`) !== r.contentHash);
    const stored: StoredDocument[] = [];
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const chunk = fresh.slice(i, i + CHUNK);
      const seqs: Array<{ seq: string }> = await manager.query(
        `INSERT INTO ${this.s}.raw_document (source, document_key, content_hash, content, origin, import_id, imported_at)
         SELECT source, document_key, content_hash, content, origin, $6::uuid, $7::timestamptz
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                AS t(source, document_key, content_hash, content, origin)
         RETURNING seq`,
        [
          chunk.map((r) => r.source),
          chunk.map((r) => r.key),
          chunk.map((r) => r.contentHash),
          chunk.map((r) => r.raw),
          chunk.map((r) => r.document),
          importId,
          importedAt,
        ],
      );
      if (seqs.length !== chunk.length)
        throw new Error('raw document insert returned an unexpected row count');
      const docs = chunk.map((record, index) => ({
        seq: String(seqs[index]!.seq),
        source: record.source,
        key: record.key,
        contentHash: record.contentHash,
        content: record.content,
        supersedes: current.has(`${record.source}\u0000${record.key}`),
        packageKeys: packageKeysOf(record.content),
      }));
      await manager.query(
        `INSERT INTO ${this.s}.observation (raw_seq, source, document_key, kind, normalized, package_keys)
         SELECT seq, source, document_key, kind, normalized, CASE WHEN keys = '' THEN '{}'::text[] ELSE string_to_array(keys, E'\\n') END
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
                AS t(seq, source, document_key, kind, normalized, keys)`,
        [
          docs.map((d) => d.seq),
          docs.map((d) => d.source),
          docs.map((d) => d.key),
          docs.map((d) => d.content.kind),
          docs.map((d) => JSON.stringify(d.content)),
          docs.map((d) => d.packageKeys.join('\n')),
        ],
      );
      const aliasSeqs: string[] = [];
      const aliases: string[] = [];
      for (const doc of docs)
        for (const id of idsOf(doc.content, doc.key)) {
          aliasSeqs.push(doc.seq);
          aliases.push(id);
        }
      await manager.query(
        `INSERT INTO ${this.s}.observation_alias (raw_seq, alias) SELECT * FROM unnest($1::bigint[], $2::text[])`,
        [aliasSeqs, aliases],
      );
      stored.push(...docs);
    }
    return { stored, unchanged: unique.length - fresh.length };
  }

  /** The normalised content of the document a (source, key) had before `seq` (null: none). */
  async previousContent(
    manager: EntityManager,
    source: string,
    key: string,
    seq: string,
  ): Promise<ParsedContent | null> {
    const [row] = await manager.query(
      `SELECT o.normalized FROM ${this.s}.raw_document d JOIN ${this.s}.observation o ON o.raw_seq = d.seq
        WHERE d.source = $1 AND d.document_key = $2 AND d.seq < $3 ORDER BY d.seq DESC LIMIT 1`,
      [source, key, seq],
    );
    return row ? (row.normalized as ParsedContent) : null;
  }

  /**
   * Current advisory observations (any source) answering to the given ids by id or alias, per id:
   * their advisory ids and package keys. Reads inside the import's transaction, so advisories
   * stored by the same import count.
   */
  async advisoriesByAlias(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, { advisoryIds: Set<string>; packageKeys: Set<string> }>> {
    const out = new Map<string, { advisoryIds: Set<string>; packageKeys: Set<string> }>();
    for (let i = 0; i < ids.length; i += CHUNK * 10) {
      const rows: Array<{ alias: string; advisory_id: string; package_keys: string[] }> = await manager.query(
        `SELECT a.alias, o.normalized->'advisory'->>'id' AS advisory_id, o.package_keys
           FROM ${this.s}.observation_alias a
           JOIN ${this.s}.observation o ON o.raw_seq = a.raw_seq
          WHERE a.alias = ANY($1::text[]) AND o.kind = 'advisory'
            AND a.raw_seq = (SELECT max(seq) FROM ${this.s}.raw_document x
                              WHERE x.source = o.source AND x.document_key = o.document_key)`,
        [ids.slice(i, i + CHUNK * 10)],
      );
      for (const row of rows) {
        const entry = out.get(row.alias) ?? {
          advisoryIds: new Set<string>(),
          packageKeys: new Set<string>(),
        };
        entry.advisoryIds.add(row.advisory_id);
        for (const key of row.package_keys) entry.packageKeys.add(key);
        out.set(row.alias, entry);
      }
    }
    return out;
  }

  /**
   * The feed snapshot of everything stored so far: a digest over the sorted set of current
   * documents, each named `<source>/<key>@<content hash>`. Recorded once per distinct set.
   */
  async snapshot(manager: EntityManager, importId: string, at: Date): Promise<Snapshot> {
    const rows: Array<{ source: string; document_key: string; content_hash: string; seq: string }> =
      await manager.query(
        `SELECT DISTINCT ON (source, document_key) source, document_key, content_hash, seq
         FROM ${this.s}.raw_document ORDER BY source, document_key, seq DESC`,
      );
    const members = rows.map((r) => `${r.source}/${r.document_key}@${r.content_hash}`).sort();
    const id = digestOf(members);
    const maxSeq = rows.reduce((max, r) => (BigInt(r.seq) > max ? BigInt(r.seq) : max), 0n).toString();
    await manager.query(
      `INSERT INTO ${this.s}.feed_snapshot (id, max_seq, document_count, import_id, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
      [id, maxSeq, members.length, importId, at],
    );
    const [stored] = await manager.query(`SELECT * FROM ${this.s}.feed_snapshot WHERE id = $1`, [id]);
    return toSnapshot(stored);
  }

  async recordImport(manager: EntityManager, run: ImportRun): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.import_run (id, source, origin, requested_by, tenant_id, started_at, finished_at, records_read,
         documents_new, documents_unchanged, records_refused, issues, snapshot_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        run.id,
        run.source,
        run.origin,
        run.requestedBy,
        run.tenantId,
        run.startedAt,
        run.finishedAt,
        run.recordsRead,
        run.documentsNew,
        run.documentsUnchanged,
        run.recordsRefused,
        JSON.stringify(run.issues),
        run.snapshotId,
      ],
    );
  }

  async findImport(id: string): Promise<ImportRun | null> {
    const [row] = await this.dataSource.query(`SELECT * FROM ${this.s}.import_run WHERE id = $1`, [id]);
    if (!row) return null;
    return {
      id: row.id,
      source: row.source,
      origin: row.origin,
      requestedBy: row.requested_by,
      tenantId: row.tenant_id,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      recordsRead: row.records_read,
      documentsNew: row.documents_new,
      documentsUnchanged: row.documents_unchanged,
      recordsRefused: row.records_refused,
      issues: row.issues,
      snapshotId: row.snapshot_id,
    };
  }

  async latestSnapshot(): Promise<Snapshot | null> {
    const [row] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.feed_snapshot ORDER BY max_seq DESC, created_at DESC LIMIT 1`,
    );
    return row ? toSnapshot(row) : null;
  }

  async findSnapshot(id: string): Promise<Snapshot | null> {
    const [row] = await this.dataSource.query(`SELECT * FROM ${this.s}.feed_snapshot WHERE id = $1`, [id]);
    return row ? toSnapshot(row) : null;
  }

  /** Current documents as of a snapshot: `<source>/<key>@<hash>`, sorted (what its id digests). */
  async snapshotMembers(maxSeq: string): Promise<string[]> {
    const rows: Array<{ member: string }> = await this.dataSource.query(
      `SELECT source || '/' || document_key || '@' || content_hash AS member FROM (
         SELECT DISTINCT ON (source, document_key) source, document_key, content_hash
           FROM ${this.s}.raw_document WHERE seq <= $1 ORDER BY source, document_key, seq DESC) cur`,
      [maxSeq],
    );
    return rows.map((r) => r.member).sort();
  }

  /** Normalised observations of the documents current at a snapshot (what matching runs on). */
  async observationsAt(maxSeq: string): Promise<ParsedContent[]> {
    const rows: Array<{ normalized: ParsedContent }> = await this.dataSource.query(
      `SELECT o.normalized FROM (
         SELECT DISTINCT ON (source, document_key) seq FROM ${this.s}.raw_document
          WHERE seq <= $1 ORDER BY source, document_key, seq DESC) cur
       JOIN ${this.s}.observation o ON o.raw_seq = cur.seq`,
      [maxSeq],
    );
    return rows.map((r) => r.normalized);
  }

  /** Every observation (current and superseded) that answers to one of the ids. */
  async observationsFor(ids: readonly string[]): Promise<ObservationRow[]> {
    const rows = await this.dataSource.query(
      `SELECT d.seq, d.source, d.document_key, d.content_hash, d.imported_at, d.import_id, o.normalized,
              d.seq = (SELECT max(seq) FROM ${this.s}.raw_document x WHERE x.source = d.source AND x.document_key = d.document_key) AS current
         FROM ${this.s}.raw_document d
         JOIN ${this.s}.observation o ON o.raw_seq = d.seq
        WHERE d.seq IN (SELECT raw_seq FROM ${this.s}.observation_alias WHERE alias = ANY($1::text[]))
        ORDER BY d.source, d.document_key, d.seq`,
      [ids],
    );
    return rows.map((row: Record<string, unknown>): ObservationRow => ({
      seq: String(row.seq),
      source: String(row.source),
      key: String(row.document_key),
      contentHash: String(row.content_hash),
      importedAt: row.imported_at as Date,
      importId: String(row.import_id),
      current: Boolean(row.current),
      normalized: row.normalized as ParsedContent,
    }));
  }

  /** The exact bytes stored for a content hash, with where they came from. */
  async document(
    contentHash: string,
  ): Promise<{ source: string; key: string; content: string; importedAt: Date } | null> {
    const [row] = await this.dataSource.query(
      `SELECT source, document_key, content, imported_at FROM ${this.s}.raw_document WHERE content_hash = $1 ORDER BY seq LIMIT 1`,
      [contentHash],
    );
    return row
      ? { source: row.source, key: row.document_key, content: row.content, importedAt: row.imported_at }
      : null;
  }
}

function toSnapshot(row: Record<string, unknown>): Snapshot {
  return {
    id: String(row.id),
    maxSeq: String(row.max_seq),
    documentCount: Number(row.document_count),
    importId: String(row.import_id),
    createdAt: row.created_at as Date,
  };
}

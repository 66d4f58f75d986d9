import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { VexFormat, VexStatement, VexStatus } from '../formats/model';

export interface NewDocument {
  readonly documentHash: string;
  readonly documentId: string;
  readonly format: VexFormat;
  readonly author: string;
  readonly issuer: string;
  readonly signed: boolean;
  readonly keyIds: readonly string[];
  readonly content: string;
  readonly ingestedAt: Date;
  readonly ingestedBy: string;
  readonly tenantId: string;
}

export interface StoredStatement extends VexStatement {
  readonly sequence: number;
  readonly documentSeq: string;
  readonly documentId: string;
  readonly documentHash: string;
  readonly issuer: string;
  readonly signed: boolean;
}

const CHUNK = 1000;

/** Postgres side of excititor: inserts only (the schema's triggers refuse anything else). */
@Injectable()
export class VexStore {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Stores a document; null when the exact same bytes were ingested before (nothing changes). */
  async insertDocument(manager: EntityManager, doc: NewDocument): Promise<string | null> {
    const rows: Array<{ seq: string }> = await manager.query(
      `INSERT INTO ${this.s}.vex_document (document_hash, document_id, format, author, issuer, signed, verified_key_ids, content, ingested_at, ingested_by, tenant_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (document_hash) DO NOTHING RETURNING seq`,
      [
        doc.documentHash,
        doc.documentId,
        doc.format,
        doc.author,
        doc.issuer,
        doc.signed,
        doc.keyIds,
        doc.content,
        doc.ingestedAt,
        doc.ingestedBy,
        doc.tenantId,
      ],
    );
    return rows[0] ? String(rows[0].seq) : null;
  }

  async insertStatements(
    manager: EntityManager,
    documentSeq: string,
    statements: readonly VexStatement[],
  ): Promise<void> {
    for (let i = 0; i < statements.length; i += CHUNK) {
      const chunk = statements.slice(i, i + CHUNK);
      await manager.query(
        `INSERT INTO ${this.s}.vex_statement (document_seq, vulnerability_id, aliases, product_key, subcomponents, status, justification, impact_statement, action_statement, statement_time)
         SELECT $1::bigint, v, CASE WHEN a = '' THEN '{}'::text[] ELSE string_to_array(a, E'\\n') END, p,
                CASE WHEN c = '' THEN '{}'::text[] ELSE string_to_array(c, E'\\n') END, st, j, im, ac, t
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                AS x(v, a, p, c, st, j, im, ac, t)`,
        [
          documentSeq,
          chunk.map((s) => s.vulnerabilityId),
          chunk.map((s) => s.aliases.join('\n')),
          chunk.map((s) => s.productKey),
          chunk.map((s) => s.subcomponents.join('\n')),
          chunk.map((s) => s.status),
          chunk.map((s) => s.justification ?? null),
          chunk.map((s) => s.impactStatement ?? null),
          chunk.map((s) => s.actionStatement ?? null),
          chunk.map((s) => s.timestamp),
        ],
      );
    }
  }

  /**
   * Every statement about any of the vulnerabilities (by id or alias) for any of the product keys:
   * one query for a whole document's pairs; the caller groups them.
   */
  async statementsForPairs(
    vulnerabilityIds: readonly string[],
    productKeys: readonly string[],
    manager?: EntityManager,
  ): Promise<StoredStatement[]> {
    const rows: Array<Record<string, unknown>> = await (manager ?? this.dataSource.manager).query(
      `SELECT st.*, d.document_id, d.document_hash, d.issuer, d.signed
         FROM ${this.s}.vex_statement st JOIN ${this.s}.vex_document d ON d.seq = st.document_seq
        WHERE st.product_key = ANY($2::text[]) AND (st.vulnerability_id = ANY($1::text[]) OR st.aliases && $1::text[])
        ORDER BY st.seq`,
      [vulnerabilityIds, productKeys],
    );
    return rows.map(toStatement);
  }

  /** Every statement about the vulnerability (by id or alias) for any of the product keys. */
  async statementsFor(
    vulnerabilityId: string,
    productKeys: readonly string[],
    manager?: EntityManager,
  ): Promise<StoredStatement[]> {
    const rows: Array<Record<string, unknown>> = await (manager ?? this.dataSource.manager).query(
      `SELECT st.*, d.document_id, d.document_hash, d.issuer, d.signed
         FROM ${this.s}.vex_statement st JOIN ${this.s}.vex_document d ON d.seq = st.document_seq
        WHERE st.product_key = ANY($2::text[]) AND (st.vulnerability_id = $1 OR $1 = ANY(st.aliases))
        ORDER BY st.seq`,
      [vulnerabilityId, productKeys],
    );
    return rows.map(toStatement);
  }

  /**
   * The (vulnerability, product) pairs an issuer's stored statements speak about, each with the
   * issuer's latest document about it (at most `limit`, in a stable order).
   */
  async pairsOfIssuer(
    manager: EntityManager,
    issuer: string,
    limit: number,
  ): Promise<
    Array<{ vulnerabilityId: string; productKey: string; documentId: string; documentHash: string }>
  > {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT DISTINCT ON (st.vulnerability_id, st.product_key) st.vulnerability_id, st.product_key, d.document_id, d.document_hash
         FROM ${this.s}.vex_statement st JOIN ${this.s}.vex_document d ON d.seq = st.document_seq
        WHERE d.issuer = $1
        ORDER BY st.vulnerability_id, st.product_key, st.seq DESC
        LIMIT $2`,
      [issuer, limit],
    );
    return rows.map((r) => ({
      vulnerabilityId: String(r.vulnerability_id),
      productKey: String(r.product_key),
      documentId: String(r.document_id),
      documentHash: String(r.document_hash),
    }));
  }

  async document(hash: string): Promise<{ content: string; format: string; issuer: string } | null> {
    const [row] = await this.dataSource.query(
      `SELECT content, format, issuer FROM ${this.s}.vex_document WHERE document_hash = $1`,
      [hash],
    );
    return row ? { content: row.content, format: row.format, issuer: row.issuer } : null;
  }
}

function toStatement(row: Record<string, unknown>): StoredStatement {
  return {
    vulnerabilityId: String(row.vulnerability_id),
    aliases: row.aliases as string[],
    productKey: String(row.product_key),
    subcomponents: row.subcomponents as string[],
    status: row.status as VexStatus,
    ...(row.justification ? { justification: String(row.justification) } : {}),
    ...(row.impact_statement ? { impactStatement: String(row.impact_statement) } : {}),
    ...(row.action_statement ? { actionStatement: String(row.action_statement) } : {}),
    timestamp: String(row.statement_time),
    sequence: Number(row.seq),
    documentSeq: String(row.document_seq),
    documentId: String(row.document_id),
    documentHash: String(row.document_hash),
    issuer: String(row.issuer),
    signed: Boolean(row.signed),
  };
}

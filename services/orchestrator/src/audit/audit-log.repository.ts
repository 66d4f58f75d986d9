import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantId } from '../common/tenancy';
import { iso, query, queryOne } from '../persistence/sql';
import { AUDIT_HASH_DOMAIN, AuditChainVerifier, auditContent, type AuditEntryContent, type AuditRow, type AuditVerification } from './audit-chain';

export interface AuditEntryView {
  seq: number;
  occurredAt: string;
  action: string;
  subject: { type: string; id: string };
  actor: string;
  data: Record<string, unknown>;
  contentDigest: string;
  prevHash: string;
  entryHash: string;
}

interface AuditRowRecord {
  seq: string;
  occurred_at: Date;
  action: string;
  subject_type: string;
  subject_id: string;
  actor: string;
  content: string;
  content_digest: string;
  prev_hash: string;
  entry_hash: string;
}

const VERIFY_BATCH = 2000;

/**
 * The hash-chained audit log. An append is ONE statement that locks the tenant's chain head,
 * chains the new entries in SQL and moves the head: call it as the last statement before commit,
 * so the head lock is held for one round trip plus the commit.
 */
@Injectable()
export class AuditLogRepository {
  async append(manager: EntityManager, tenant: TenantId, entries: readonly AuditEntryContent[]): Promise<void> {
    if (entries.length === 0) return;
    const contents: string[] = [];
    const digests: string[] = [];
    for (const entry of entries) {
      const { content, contentDigest } = auditContent(entry);
      contents.push(content);
      digests.push(contentDigest);
    }
    await query(
      manager,
      `WITH RECURSIVE head AS (
         SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE
       ), input AS (
         SELECT t.content, t.content_digest, t.ord, t.action, t.subject_type, t.subject_id, t.actor, t.at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
           WITH ORDINALITY AS t(content, content_digest, action, subject_type, subject_id, actor, at, ord)
       ), chain AS (
         SELECT 0::bigint AS ord, h.last_seq AS seq, NULL::text AS prev_hash, h.last_hash AS entry_hash,
                NULL::text AS content, NULL::text AS content_digest
         FROM head h
         UNION ALL
         SELECT i.ord, c.seq + 1, c.entry_hash,
                'sha256:' || encode(sha256(convert_to(
                  $9 || chr(10) || $1 || chr(10) || (c.seq + 1)::text || chr(10) || c.entry_hash || chr(10) || i.content_digest,
                  'UTF8')), 'hex'),
                i.content, i.content_digest
         FROM chain c JOIN input i ON i.ord = c.ord + 1
       ), inserted AS (
         INSERT INTO audit_log (tenant_id, seq, occurred_at, action, subject_type, subject_id, actor,
                                content, content_digest, prev_hash, entry_hash)
         SELECT $1, c.seq, i.at, i.action, i.subject_type, i.subject_id, i.actor,
                c.content, c.content_digest, c.prev_hash, c.entry_hash
         FROM chain c JOIN input i ON i.ord = c.ord
         WHERE c.ord > 0
         RETURNING seq
       )
       UPDATE audit_heads SET last_seq = l.seq, last_hash = l.entry_hash
       FROM (SELECT seq, entry_hash FROM chain ORDER BY ord DESC LIMIT 1) l
       WHERE tenant_id = $1 AND (SELECT count(*) FROM inserted) = $10
       RETURNING last_seq`,
      [
        tenant,
        contents,
        digests,
        entries.map((e) => e.action),
        entries.map((e) => e.subject.type),
        entries.map((e) => e.subject.id),
        entries.map((e) => e.actor),
        entries.map((e) => e.at),
        AUDIT_HASH_DOMAIN,
        entries.length,
      ],
    ).then((rows) => {
      if (rows.length !== 1) throw new Error(`audit chain head of tenant ${tenant} is missing`);
    });
  }

  async list(manager: EntityManager, tenant: TenantId, afterSeq: number, limit: number): Promise<AuditEntryView[]> {
    const rows = await query<AuditRowRecord>(
      manager,
      `SELECT seq, occurred_at, action, subject_type, subject_id, actor, content, content_digest, prev_hash, entry_hash
       FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [tenant, afterSeq, limit],
    );
    return rows.map((row) => ({
      seq: Number(row.seq),
      occurredAt: iso(row.occurred_at),
      action: row.action,
      subject: { type: row.subject_type, id: row.subject_id },
      actor: row.actor,
      data: (JSON.parse(row.content) as AuditEntryContent).data,
      contentDigest: row.content_digest,
      prevHash: row.prev_hash,
      entryHash: row.entry_hash,
    }));
  }

  /** Walks the tenant's whole chain in batches and checks it against the stored head. */
  async verify(manager: EntityManager, tenant: TenantId): Promise<AuditVerification> {
    return verifyStoredAuditChain((sql, params) => query(manager, sql, params), tenant);
  }
}

/** Shared by the service and the CLI (which has a bare pg client, not TypeORM). */
export async function verifyStoredAuditChain(
  run: <T>(sql: string, params: unknown[]) => Promise<T[]>,
  tenant: string,
): Promise<AuditVerification> {
  const verifier = new AuditChainVerifier(tenant);
  let after = 0;
  for (;;) {
    const rows = await run<AuditRowRecord>(
      `SELECT seq, action, subject_type, subject_id, actor, content, content_digest, prev_hash, entry_hash
       FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT ${VERIFY_BATCH}`,
      [tenant, after],
    );
    let intact = true;
    for (const row of rows) {
      intact = verifier.push(toAuditRow(row));
      if (!intact) break;
    }
    if (!intact || rows.length < VERIFY_BATCH) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  const [head] = await run<{ last_seq: string; last_hash: string }>(
    'SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = $1',
    [tenant],
  );
  return verifier.finish(head ? { lastSeq: Number(head.last_seq), lastHash: head.last_hash } : undefined);
}

function toAuditRow(row: AuditRowRecord): AuditRow {
  return {
    seq: Number(row.seq),
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    actor: row.actor,
    content: row.content,
    contentDigest: row.content_digest,
    prevHash: row.prev_hash,
    entryHash: row.entry_hash,
  };
}

export async function auditHead(manager: EntityManager, tenant: TenantId): Promise<{ lastSeq: number; lastHash: string } | undefined> {
  const row = await queryOne<{ last_seq: string; last_hash: string }>(
    manager,
    'SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = $1',
    [tenant],
  );
  return row ? { lastSeq: Number(row.last_seq), lastHash: row.last_hash } : undefined;
}

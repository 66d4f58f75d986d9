import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantId } from '../common/tenancy';
import { iso, query } from '../persistence/sql';
import { AuditChainVerifier, auditContent, type AuditEntryContent, type AuditRow, type AuditVerification } from './audit-chain';

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
 * The hash-chained audit log. A change appends its entries to `audit_pending` in its own
 * transaction (one statement, no lock); the AuditChainer chains them into `audit_log` in batches.
 * Readers (list, verify) flush the chainer first, so they see every committed change.
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
      `INSERT INTO audit_pending (tenant_id, occurred_at, action, subject_type, subject_id, actor, content, content_digest)
       SELECT $1, t.at, t.action, t.subject_type, t.subject_id, t.actor, t.content, t.content_digest
       FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS t(at, action, subject_type, subject_id, actor, content, content_digest, ord)
       ORDER BY t.ord`,
      [
        tenant,
        entries.map((e) => e.at),
        entries.map((e) => e.action),
        entries.map((e) => e.subject.type),
        entries.map((e) => e.subject.id),
        entries.map((e) => e.actor),
        contents,
        digests,
      ],
    );
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

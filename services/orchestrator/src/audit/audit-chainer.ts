import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { schemaOf, withTransaction } from '@stella/db';
import type { Logger } from '@stella/observability';
import { Lifecycle, STELLA_DATA_SOURCE, STELLA_LOGGER } from '@stella/platform';
import type { DataSource } from 'typeorm';
import { CommitNotifier } from '../persistence/commit-notifier';
import { query, queryOne } from '../persistence/sql';
import { auditEntryHash } from './audit-chain';

const BATCH = 2000;
const POLL_MS = 1000;
/** Commits only schedule a pass this much later, so one pass chains the entries of many commits. */
const COALESCE_MS = 200;
const FLUSH_ATTEMPTS = 500;

interface PendingRow {
  id: string;
  tenant_id: string;
  occurred_at: Date;
  action: string;
  subject_type: string;
  subject_id: string;
  actor: string;
  content: string;
  content_digest: string;
}

/**
 * Moves committed audit entries from `audit_pending` into each tenant's hash chain. One chainer
 * works at a time (a transaction-scoped advisory lock, across replicas); each pass chains up to
 * 2000 entries in one transaction, so a burst of changes costs one chain-head lock and one commit,
 * instead of serializing every change on the head row. Scheduled after commits (coalesced), polled,
 * and flushed by readers.
 */
@Injectable()
export class AuditChainer implements OnApplicationBootstrap {
  private running: Promise<void> | undefined;
  private scheduled: NodeJS.Timeout | undefined;
  private again = false;
  private stopped = false;
  private readonly lockKey: string;

  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly lifecycle: Lifecycle,
    private readonly notifier: CommitNotifier,
  ) {
    this.lockKey = `stella-orchestrator-audit-chainer:${schemaOf(dataSource)}`;
  }

  onApplicationBootstrap(): void {
    const unsubscribe = this.notifier.subscribe((change) => {
      if (change.audited) this.schedule();
    });
    const timer = setInterval(() => this.poke(), POLL_MS);
    timer.unref();
    this.lifecycle.onShutdown('audit-chainer', async () => {
      unsubscribe();
      clearInterval(timer);
      if (this.scheduled) clearTimeout(this.scheduled);
      this.stopped = true;
      await this.running;
    });
  }

  /** A pass soon (within COALESCE_MS), shared by every commit until then. */
  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.poke();
    }, COALESCE_MS);
    this.scheduled.unref();
  }

  /** Starts a pass now (coalesced: at most one running and one queued). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while ((await this.chainOnce()) === BATCH) {
            // a full batch: more may be waiting
          }
        } catch (error) {
          this.logger.error({ err: error }, 'audit chaining failed; retried on the next poll');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Chains everything pending for the tenant (readers call it so they see every committed change). */
  async flush(tenant: string): Promise<void> {
    for (let attempt = 0; attempt < FLUSH_ATTEMPTS; attempt += 1) {
      const pending = await queryOne(this.dataSource.manager, 'SELECT 1 FROM audit_pending WHERE tenant_id = $1 LIMIT 1', [tenant]);
      if (!pending) return;
      // -1: another pass (here or on a replica) holds the chainer lock; it will get there.
      if ((await this.chainOnce()) === -1) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`audit entries of tenant ${tenant} are still pending after ${FLUSH_ATTEMPTS} attempts`);
  }

  /** One pass: returns the number of entries chained, or -1 when another chainer holds the lock. */
  async chainOnce(): Promise<number> {
    return withTransaction(this.dataSource, async (m) => {
      const [lock] = await query<{ locked: boolean }>(m, 'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [this.lockKey]);
      if (!lock?.locked) return -1;
      const rows = await query<PendingRow>(m, `SELECT * FROM audit_pending ORDER BY id LIMIT ${BATCH}`);
      if (rows.length === 0) return 0;
      const byTenant = new Map<string, PendingRow[]>();
      for (const row of rows) {
        const list = byTenant.get(row.tenant_id) ?? [];
        list.push(row);
        byTenant.set(row.tenant_id, list);
      }
      for (const [tenant, entries] of byTenant) {
        const head = await queryOne<{ last_seq: string; last_hash: string }>(
          m,
          'SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE',
          [tenant],
        );
        if (!head) throw new Error(`audit chain head of tenant ${tenant} is missing`);
        let seq = Number(head.last_seq);
        let prev = head.last_hash;
        const seqs: number[] = [];
        const prevs: string[] = [];
        const hashes: string[] = [];
        for (const entry of entries) {
          seq += 1;
          const hash = auditEntryHash(tenant, seq, prev, entry.content_digest);
          seqs.push(seq);
          prevs.push(prev);
          hashes.push(hash);
          prev = hash;
        }
        await query(
          m,
          `INSERT INTO audit_log (tenant_id, seq, occurred_at, action, subject_type, subject_id, actor, content, content_digest, prev_hash, entry_hash)
           SELECT $1, t.seq, p.occurred_at, p.action, p.subject_type, p.subject_id, p.actor, p.content, p.content_digest, t.prev_hash, t.entry_hash
           FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[]) AS t(id, seq, prev_hash, entry_hash)
           JOIN audit_pending p ON p.id = t.id`,
          [tenant, entries.map((e) => e.id), seqs, prevs, hashes],
        );
        await query(m, 'UPDATE audit_heads SET last_seq = $2, last_hash = $3 WHERE tenant_id = $1', [tenant, seq, prev]);
      }
      await query(m, 'DELETE FROM audit_pending WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}

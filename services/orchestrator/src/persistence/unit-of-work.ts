import { Inject, Injectable } from '@nestjs/common';
import { digestOf } from '@stella/canonical';
import { OUTBOX_CHANNEL, OUTBOX_TABLE } from '@stella/bus';
import { encodeEvent, type AnyCloudEvent } from '@stella/contracts';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { auditContent, type AuditEntryContent } from '../audit/audit-chain';
import type { Clock } from '../common/clock';
import { OrchestratorError, type SerializedError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { ORCHESTRATOR_CLOCK } from '../common/tokens';
import { TenantBootstrap } from '../tenants/tenant-bootstrap';
import { CommitNotifier } from './commit-notifier';
import { SqlBatch } from './sql-batch';
import { inTransaction, isUniqueViolation, query, queryOne } from './sql';

/** What a use case decided: committed either way (a denied promotion is still recorded). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export interface IdempotencyRequest {
  key: string;
  /** The operation and its target, e.g. `promotion.approve`. */
  operation: string;
  /** digestOf({ operation, params, body }): same key with another request is refused. */
  requestHash: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Validates an `Idempotency-Key` header (absent is allowed: the request is then not deduplicated). */
export function idempotencyRequest(
  key: string | undefined,
  operation: string,
  request: unknown,
): IdempotencyRequest | undefined {
  if (key === undefined || key === '') return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new OrchestratorError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 printable ASCII characters');
  }
  return { key, operation, requestHash: digestOf({ operation, request }) };
}

/** The changes of one transaction: its events and audit entries are written at commit. */
export class Tx {
  readonly events: AnyCloudEvent[] = [];
  readonly audit: AuditEntryContent[] = [];
  readonly touchedPromotions = new Set<string>();
  /** Environments whose deployment slot was busy (locked) when a promotion was approved. */
  readonly queuedEnvironments = new Set<string>();
  /** Writes sent together with the events and audit entries at commit (see SqlBatch). */
  readonly writes = new SqlBatch();

  constructor(
    readonly manager: EntityManager,
    readonly tenant: TenantId,
    /** One instant for every record of this change. */
    readonly now: Date,
  ) {}

  emit(...events: AnyCloudEvent[]): void {
    this.events.push(...events);
  }

  record(...entries: AuditEntryContent[]): void {
    this.audit.push(...entries);
  }
}

/**
 * Runs a use case as one transaction: the use case's writes, then its events (outbox, one
 * statement) and audit entries (audit_pending, one statement), then commit. Serialization
 * failures and deadlocks re-run the whole use case. Listeners hear about the change after commit.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly tenants: TenantBootstrap,
    private readonly notifier: CommitNotifier,
    @Inject(ORCHESTRATOR_CLOCK) private readonly clock: Clock,
  ) {
    this.schema = schemaOf(dataSource);
    this.outboxTable = `${quoteSchema(this.schema)}.${OUTBOX_TABLE}`;
  }

  private readonly schema: string;
  private readonly outboxTable: string;

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** A change that either commits or throws (an OrchestratorError refusal rolls everything back). */
  async run<T>(tenant: TenantId, work: (tx: Tx) => Promise<T>): Promise<T> {
    await this.tenants.ensure(tenant);
    const { value, tx } = await inTransaction(this.dataSource.manager, async (manager) => {
      const tx = new Tx(manager, tenant, this.clock.now());
      const value = await work(tx);
      await this.finish(tx);
      return { value, tx };
    });
    this.committed(tx);
    return value;
  }

  /**
   * A create with an optional Idempotency-Key. The key is claimed by the last statement before
   * the events and audit entries, in the same transaction as the change: a concurrent duplicate
   * waits on it, then finds the committed row and replays its outcome; an aborted original leaves
   * no row, so its retry runs afresh.
   */
  async runIdempotent<T>(
    tenant: TenantId,
    idempotency: IdempotencyRequest | undefined,
    work: (tx: Tx) => Promise<Outcome<T>>,
  ): Promise<{ outcome: Outcome<T>; replayed: boolean }> {
    if (!idempotency) return { outcome: await this.run(tenant, work), replayed: false };
    await this.tenants.ensure(tenant);
    try {
      const { outcome, tx: committed } = await inTransaction(this.dataSource.manager, async (manager) => {
        const tx = new Tx(manager, tenant, this.clock.now());
        const outcome = await work(tx);
        await this.finish(tx, { ...idempotency, response: JSON.stringify(outcome) });
        return { outcome, tx };
      });
      this.committed(committed);
      return { outcome, replayed: false };
    } catch (error) {
      // A refusal or a constraint hit (the key's own, when a concurrent original committed first)
      // may just mean the original already did the work.
      if (error instanceof OrchestratorError || isUniqueViolation(error)) {
        const stored = await this.storedOutcome<T>(tenant, idempotency);
        if (stored) return { outcome: stored, replayed: true };
      }
      throw error;
    }
  }

  private async storedOutcome<T>(tenant: TenantId, idempotency: IdempotencyRequest): Promise<Outcome<T> | undefined> {
    const row = await queryOne<{ operation: string; request_hash: string; response: string }>(
      this.dataSource.manager,
      'SELECT operation, request_hash, response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
      [tenant, idempotency.key],
    );
    if (!row) return undefined;
    if (row.operation !== idempotency.operation || row.request_hash !== idempotency.requestHash) {
      throw new OrchestratorError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for a different request; use a new key for a new request',
        { operation: row.operation },
      );
    }
    return JSON.parse(row.response) as Outcome<T>;
  }

  private committed(tx: Tx): void {
    this.notifier.committed({
      tenant: tx.tenant,
      promotionIds: [...tx.touchedPromotions],
      queuedEnvironments: [...tx.queuedEnvironments],
      audited: tx.audit.length > 0,
    });
  }

  /**
   * The transaction's last statement, sent together with its COMMIT: its collected writes, its
   * events (outbox rows, NOTIFY for the relay), its audit entries (audit_pending) and the
   * idempotency claim, all at once. A key already taken fails the statement with a unique
   * violation on idempotency_keys (after waiting for a concurrent holder to commit or abort), so
   * nothing of this change commits and the caller replays the stored outcome.
   */
  private async finish(tx: Tx, idempotency?: IdempotencyRequest & { response: string }): Promise<void> {
    const w = tx.writes;
    if (tx.events.length > 0) {
      w.add(
        `INSERT INTO ${this.outboxTable} (event_id, event_type, body, traceparent)
         SELECT * FROM unnest(${w.param(tx.events.map((e) => e.id))}::text[], ${w.param(tx.events.map((e) => e.type))}::text[],
                              ${w.param(tx.events.map((e) => encodeEvent(e)))}::text[], ${w.param(tx.events.map((e) => e.traceparent ?? null))}::text[])
         ON CONFLICT (event_id) DO NOTHING`,
      );
    }
    if (tx.audit.length > 0) {
      const contents = tx.audit.map((entry) => auditContent(entry));
      w.add(
        `INSERT INTO audit_pending (tenant_id, occurred_at, action, subject_type, subject_id, actor, content, content_digest)
         SELECT ${w.param(tx.tenant)}, t.at, t.action, t.subject_type, t.subject_id, t.actor, t.content, t.content_digest
         FROM unnest(${w.param(tx.audit.map((e) => e.at))}::timestamptz[], ${w.param(tx.audit.map((e) => e.action))}::text[],
                     ${w.param(tx.audit.map((e) => e.subject.type))}::text[], ${w.param(tx.audit.map((e) => e.subject.id))}::text[],
                     ${w.param(tx.audit.map((e) => e.actor))}::text[], ${w.param(contents.map((c) => c.content))}::text[],
                     ${w.param(contents.map((c) => c.contentDigest))}::text[])
           WITH ORDINALITY AS t(at, action, subject_type, subject_id, actor, content, content_digest, ord)
         ORDER BY t.ord`,
      );
    }
    if (idempotency) {
      w.add(
        `INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, response, created_at)
         VALUES (${w.param(tx.tenant)}, ${w.param(idempotency.key)}, ${w.param(idempotency.operation)},
                 ${w.param(idempotency.requestHash)}, ${w.param(idempotency.response)}, ${w.param(tx.now)})`,
      );
    }
    if (w.size === 0) return;
    const notify = tx.events.length > 0 ? `, pg_notify('${OUTBOX_CHANNEL}', ${w.param(this.schema)})` : '';
    const { sql, params } = w.statement(`SELECT true AS written${notify}`);
    try {
      await query(tx.manager, sql, params, { commit: true });
    } catch (error) {
      throw w.mapError(error);
    }
  }
}

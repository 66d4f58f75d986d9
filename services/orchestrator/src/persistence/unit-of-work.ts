import { Inject, Injectable } from '@nestjs/common';
import { digestOf } from '@stella/canonical';
import { OutboxWriter } from '@stella/bus';
import type { AnyCloudEvent } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEntryContent } from '../audit/audit-chain';
import { AuditLogRepository } from '../audit/audit-log.repository';
import type { Clock } from '../common/clock';
import { OrchestratorError, type SerializedError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { ORCHESTRATOR_CLOCK } from '../common/tokens';
import { TenantBootstrap } from '../tenants/tenant-bootstrap';
import { CommitNotifier } from './commit-notifier';
import { isUniqueViolation, query, queryOne } from './sql';

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

class IdempotentReplay extends Error {}

/**
 * Runs a use case as one transaction: the use case's writes, then its events (outbox, one
 * statement) and audit entries (audit_pending, one statement), then commit. Serialization
 * failures and deadlocks re-run the whole use case. Listeners hear about the change after commit.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly auditLog: AuditLogRepository,
    private readonly tenants: TenantBootstrap,
    private readonly notifier: CommitNotifier,
    @Inject(ORCHESTRATOR_CLOCK) private readonly clock: Clock,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** A change that either commits or throws (an OrchestratorError refusal rolls everything back). */
  async run<T>(tenant: TenantId, work: (tx: Tx) => Promise<T>): Promise<T> {
    await this.tenants.ensure(tenant);
    const { value, tx } = await withTransaction(this.dataSource, async (manager) => {
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
      const { outcome, tx: committed } = await withTransaction(this.dataSource, async (manager) => {
        const tx = new Tx(manager, tenant, this.clock.now());
        const outcome = await work(tx);
        const claimed = await query(
          manager,
          `INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, response, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, key) DO NOTHING RETURNING 1 AS claimed`,
          [tenant, idempotency.key, idempotency.operation, idempotency.requestHash, JSON.stringify(outcome), tx.now],
        );
        if (claimed.length === 0) throw new IdempotentReplay();
        await this.finish(tx);
        return { outcome, tx };
      });
      this.committed(committed);
      return { outcome, replayed: false };
    } catch (error) {
      // A refusal or a constraint hit may just mean the original already did the work.
      if (error instanceof IdempotentReplay || error instanceof OrchestratorError || isUniqueViolation(error)) {
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

  private async finish(tx: Tx): Promise<void> {
    if (tx.events.length > 0) await this.outbox.enqueueMany(tx.manager, tx.events);
    await this.auditLog.append(tx.manager, tx.tenant, tx.audit);
  }
}

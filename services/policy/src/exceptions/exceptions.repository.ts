import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { ExceptionRecord, ExceptionStatus } from './exception.model';

interface Row {
  id: string;
  tenant_id: string;
  vulnerability_id: string;
  component: string;
  environment: string;
  reason: string;
  expires_at: Date;
  status: ExceptionStatus;
  requested_by: string;
  requested_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  revoked_by: string | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

const record = (r: Row): ExceptionRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  vulnerabilityId: r.vulnerability_id,
  component: r.component,
  environment: r.environment,
  reason: r.reason,
  expiresAt: r.expires_at,
  status: r.status,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
  revokedBy: r.revoked_by,
  revokedAt: r.revoked_at,
  revokeReason: r.revoke_reason,
});

/** Exceptions; every query takes the tenant. */
@Injectable()
export class ExceptionsRepository {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async insert(e: ExceptionRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.s}.policy_exception (id, tenant_id, vulnerability_id, component, environment, reason, expires_at,
         status, requested_by, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.id, e.tenantId, e.vulnerabilityId, e.component, e.environment, e.reason, e.expiresAt, e.status, e.requestedBy, e.requestedAt],
    );
  }

  /** Locks the row (FOR UPDATE) when called inside a transaction. */
  async find(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<ExceptionRecord | null> {
    const rows: Row[] = await manager.query(
      `SELECT * FROM ${this.s}.policy_exception WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0] ? record(rows[0]) : null;
  }

  async approve(manager: EntityManager, tenantId: string, id: string, by: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE ${this.s}.policy_exception SET status = 'approved', approved_by = $3, approved_at = $4
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, by, at],
    );
  }

  async revoke(manager: EntityManager, tenantId: string, id: string, by: string, at: Date, reason: string): Promise<void> {
    await manager.query(
      `UPDATE ${this.s}.policy_exception SET status = 'revoked', revoked_by = $3, revoked_at = $4, revoke_reason = $5
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, by, at, reason],
    );
  }

  async list(tenantId: string, filter: { environment?: string; status?: ExceptionStatus }): Promise<ExceptionRecord[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.policy_exception WHERE tenant_id = $1
         AND ($2::text IS NULL OR environment = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY requested_at, id LIMIT 1000`,
      [tenantId, filter.environment ?? null, filter.status ?? null],
    );
    return rows.map(record);
  }

  /** inForceAt for many (tenant, environment) pairs at once, keyed `<tenant>\u0000<environment>`. */
  async inForceAtMany(
    manager: EntityManager,
    keys: ReadonlyArray<{ tenantId: string; environment: string }>,
    at: Date,
    expiredWindowDays = 30,
  ): Promise<Map<string, ExceptionRecord[]>> {
    const out = new Map<string, ExceptionRecord[]>();
    for (const k of keys) out.set(`${k.tenantId}\u0000${k.environment}`, []);
    if (keys.length === 0) return out;
    const rows: Row[] = await manager.query(
      `SELECT e.* FROM ${this.s}.policy_exception e
       JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id text, environment text) ON k.tenant_id = e.tenant_id AND k.environment = e.environment
       WHERE e.approved_at IS NOT NULL AND e.approved_at <= $2
         AND (e.revoked_at IS NULL OR e.revoked_at > $2)
         AND e.expires_at > $2::timestamptz - make_interval(days => $3)
       ORDER BY e.id`,
      [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, environment: k.environment }))), at, expiredWindowDays],
    );
    for (const r of rows) out.get(`${r.tenant_id}\u0000${r.environment}`)?.push(record(r));
    return out;
  }

  /**
   * Exceptions approved for the environment as of `at` (approved before it, not revoked before
   * it), including those expired in the last `expiredWindowDays`: the engine lists those as
   * expired so a verdict says why a waiver stopped applying.
   */
  async inForceAt(
    manager: EntityManager,
    tenantId: string,
    environment: string,
    at: Date,
    expiredWindowDays = 30,
  ): Promise<ExceptionRecord[]> {
    const rows: Row[] = await manager.query(
      `SELECT * FROM ${this.s}.policy_exception
       WHERE tenant_id = $1 AND environment = $2 AND approved_at IS NOT NULL AND approved_at <= $3
         AND (revoked_at IS NULL OR revoked_at > $3)
         AND expires_at > $3::timestamptz - make_interval(days => $4)
       ORDER BY id`,
      [tenantId, environment, at, expiredWindowDays],
    );
    return rows.map(record);
  }
}

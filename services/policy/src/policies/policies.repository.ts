import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';

export interface PolicyVersionRow {
  tenantId: string;
  name: string;
  version: string;
  policyHash: string;
  source: string;
  description: string | null;
  createdAt: Date;
  createdBy: string;
}

export interface BindingRow {
  tenantId: string;
  environment: string;
  policyName: string;
  policyVersion: string;
  boundAt: Date;
  boundBy: string;
}

interface VersionSql {
  tenant_id: string;
  name: string;
  version: string;
  policy_hash: string;
  source: string;
  description: string | null;
  created_at: Date;
  created_by: string;
}
interface BindingSql {
  tenant_id: string;
  environment: string;
  policy_name: string;
  policy_version: string;
  bound_at: Date;
  bound_by: string;
}

const version = (r: VersionSql): PolicyVersionRow => ({
  tenantId: r.tenant_id,
  name: r.name,
  version: r.version,
  policyHash: r.policy_hash,
  source: r.source,
  description: r.description,
  createdAt: r.created_at,
  createdBy: r.created_by,
});
const binding = (r: BindingSql): BindingRow => ({
  tenantId: r.tenant_id,
  environment: r.environment,
  policyName: r.policy_name,
  policyVersion: r.policy_version,
  boundAt: r.bound_at,
  boundBy: r.bound_by,
});

/** Policy versions (insert-only) and their bindings to environments; every query takes the tenant. */
@Injectable()
export class PoliciesRepository {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  /** Inserts unless (tenant, name, version) exists; returns the stored row either way. */
  async insert(row: PolicyVersionRow): Promise<{ row: PolicyVersionRow; created: boolean }> {
    const inserted: VersionSql[] = await this.dataSource.query(
      `INSERT INTO ${this.s}.policy_version (tenant_id, name, version, policy_hash, source, description, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING *`,
      [row.tenantId, row.name, row.version, row.policyHash, row.source, row.description, row.createdAt, row.createdBy],
    );
    if (inserted[0]) return { row: version(inserted[0]), created: true };
    const existing = await this.find(row.tenantId, row.name, row.version);
    return { row: existing!, created: false };
  }

  async find(tenantId: string, name: string, v: string, manager?: EntityManager): Promise<PolicyVersionRow | null> {
    const rows: VersionSql[] = await (manager ?? this.dataSource.manager).query(
      `SELECT * FROM ${this.s}.policy_version WHERE tenant_id = $1 AND name = $2 AND version = $3`,
      [tenantId, name, v],
    );
    return rows[0] ? version(rows[0]) : null;
  }

  async list(tenantId: string, name?: string): Promise<Array<Omit<PolicyVersionRow, 'source'>>> {
    const rows: VersionSql[] = await this.dataSource.query(
      `SELECT tenant_id, name, version, policy_hash, NULL AS source, description, created_at, created_by
       FROM ${this.s}.policy_version WHERE tenant_id = $1 AND ($2::text IS NULL OR name = $2)
       ORDER BY name, created_at, version`,
      [tenantId, name ?? null],
    );
    return rows.map((r) => {
      const { source: _source, ...rest } = version(r);
      return rest;
    });
  }

  async bind(row: BindingRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.s}.policy_binding (tenant_id, environment, policy_name, policy_version, bound_at, bound_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, environment) DO UPDATE SET policy_name = EXCLUDED.policy_name,
         policy_version = EXCLUDED.policy_version, bound_at = EXCLUDED.bound_at, bound_by = EXCLUDED.bound_by`,
      [row.tenantId, row.environment, row.policyName, row.policyVersion, row.boundAt, row.boundBy],
    );
  }

  async bindings(tenantId: string): Promise<BindingRow[]> {
    const rows: BindingSql[] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.policy_binding WHERE tenant_id = $1 ORDER BY environment`,
      [tenantId],
    );
    return rows.map(binding);
  }

  /** Bound policy versions of many (tenant, environment) pairs, keyed `<tenant>\u0000<environment>`. */
  async boundToMany(
    keys: ReadonlyArray<{ tenantId: string; environment: string }>,
    manager?: EntityManager,
  ): Promise<Map<string, PolicyVersionRow>> {
    if (keys.length === 0) return new Map();
    const rows: Array<VersionSql & { environment: string }> = await (manager ?? this.dataSource.manager).query(
      `SELECT v.*, b.environment FROM ${this.s}.policy_binding b
       JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id text, environment text)
         ON k.tenant_id = b.tenant_id AND k.environment = b.environment
       JOIN ${this.s}.policy_version v ON v.tenant_id = b.tenant_id AND v.name = b.policy_name AND v.version = b.policy_version`,
      [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, environment: k.environment })))],
    );
    return new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.environment}`, version(r)]));
  }

  /** The policy version bound to an environment, with its source. */
  async boundTo(tenantId: string, environment: string, manager?: EntityManager): Promise<PolicyVersionRow | null> {
    const rows: VersionSql[] = await (manager ?? this.dataSource.manager).query(
      `SELECT v.* FROM ${this.s}.policy_binding b
       JOIN ${this.s}.policy_version v ON v.tenant_id = b.tenant_id AND v.name = b.policy_name AND v.version = b.policy_version
       WHERE b.tenant_id = $1 AND b.environment = $2`,
      [tenantId, environment],
    );
    return rows[0] ? version(rows[0]) : null;
  }
}

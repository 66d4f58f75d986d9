import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrchestratorError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { isUniqueViolation, iso, query, queryOne } from '../persistence/sql';
import { environmentPolicySchema, type EnvironmentRecord, type PromotionPath } from './environment.model';

interface EnvironmentRow {
  name: string;
  display_name: string;
  policy: unknown;
  policy_digest: string;
  version: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

const COLUMNS = 'name, display_name, policy, policy_digest, version, created_at, created_by, updated_at';

export function toEnvironmentRecord(row: EnvironmentRow): EnvironmentRecord {
  return {
    name: row.name,
    displayName: row.display_name,
    // Stored policies were validated on write; parsing again fills defaults added since.
    policy: environmentPolicySchema.parse(row.policy),
    policyDigest: row.policy_digest as EnvironmentRecord['policyDigest'],
    version: row.version,
    createdAt: iso(row.created_at),
    createdBy: row.created_by,
    updatedAt: iso(row.updated_at),
  };
}

@Injectable()
export class EnvironmentsRepository {
  async list(m: EntityManager, tenant: TenantId): Promise<EnvironmentRecord[]> {
    const rows = await query<EnvironmentRow>(m, `SELECT ${COLUMNS} FROM environments WHERE tenant_id = $1`, [tenant]);
    return rows.map(toEnvironmentRecord);
  }

  async get(m: EntityManager, tenant: TenantId, name: string, lock = false): Promise<EnvironmentRecord> {
    const row = await queryOne<EnvironmentRow>(
      m,
      `SELECT ${COLUMNS} FROM environments WHERE tenant_id = $1 AND name = $2${lock ? ' FOR NO KEY UPDATE' : ''}`,
      [tenant, name],
    );
    if (!row) throw new OrchestratorError('ENVIRONMENT_NOT_FOUND', `environment ${name} does not exist`, { environment: name });
    return toEnvironmentRecord(row);
  }

  async insert(m: EntityManager, tenant: TenantId, env: EnvironmentRecord): Promise<void> {
    try {
      await query(
        m,
        `INSERT INTO environments (tenant_id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [tenant, env.name, env.displayName, JSON.stringify(env.policy), env.policyDigest, env.version, env.createdAt, env.createdBy, env.updatedAt],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OrchestratorError('ENVIRONMENT_EXISTS', `environment ${env.name} already exists`, { environment: env.name });
      }
      throw error;
    }
  }

  async update(m: EntityManager, tenant: TenantId, env: EnvironmentRecord): Promise<void> {
    await query(
      m,
      `UPDATE environments SET display_name = $3, policy = $4, policy_digest = $5, version = $6, updated_at = $7
       WHERE tenant_id = $1 AND name = $2`,
      [tenant, env.name, env.displayName, JSON.stringify(env.policy), env.policyDigest, env.version, env.updatedAt],
    );
  }

  async path(m: EntityManager, tenant: TenantId, lock = false): Promise<PromotionPath> {
    const row = await queryOne<{ environments: string[]; allow_skip: boolean; version: number }>(
      m,
      `SELECT environments, allow_skip, version FROM promotion_paths WHERE tenant_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [tenant],
    );
    if (!row) return { environments: [], allowSkip: false, version: 0 };
    return { environments: row.environments, allowSkip: row.allow_skip, version: row.version };
  }

  async savePath(m: EntityManager, tenant: TenantId, path: PromotionPath, now: Date): Promise<void> {
    await query(
      m,
      `INSERT INTO promotion_paths (tenant_id, environments, allow_skip, version, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id) DO UPDATE SET environments = EXCLUDED.environments, allow_skip = EXCLUDED.allow_skip,
         version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
      [tenant, path.environments, path.allowSkip, path.version, now],
    );
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantId } from '../common/tenancy';
import { iso, query, queryOne } from '../persistence/sql';

export interface DeploymentView {
  environment: string;
  release: { id: string; name: string; version: string };
  promotionId: string;
  kind: 'promotion' | 'rollback';
  deployedAt: string;
  /** When the next deployment replaced it; absent while it runs. */
  supersededAt?: string;
  components: Array<{ name: string; repository: string; digest: string }>;
}

interface DeploymentRow {
  id: string;
  environment: string;
  release_id: string;
  name: string;
  version: string;
  promotion_id: string;
  kind: 'promotion' | 'rollback';
  deployed_at: Date;
  superseded_at: Date | null;
  components: Array<{ name: string; repository: string; digest: string }>;
}

const SELECT = `SELECT d.id, d.environment, d.release_id, r.name, r.version, d.promotion_id, d.kind, d.deployed_at, d.superseded_at,
  (SELECT coalesce(json_agg(json_build_object('name', rc.component, 'repository', rc.repository, 'digest', rc.digest) ORDER BY rc.component), '[]'::json)
     FROM release_components rc WHERE rc.tenant_id = d.tenant_id AND rc.release_id = d.release_id) AS components
  FROM deployments d JOIN releases r ON r.tenant_id = d.tenant_id AND r.id = d.release_id`;

/** `at` given: what ran at that instant; otherwise what runs now. */
const RUNNING = (at: string | null) =>
  at === null ? 'd.superseded_at IS NULL' : `d.deployed_at <= ${at} AND (d.superseded_at IS NULL OR d.superseded_at > ${at})`;

function toView(row: DeploymentRow): DeploymentView {
  return {
    environment: row.environment,
    release: { id: row.release_id, name: row.name, version: row.version },
    promotionId: row.promotion_id,
    kind: row.kind,
    deployedAt: iso(row.deployed_at),
    ...(row.superseded_at === null ? {} : { supersededAt: iso(row.superseded_at) }),
    components: row.components,
  };
}

@Injectable()
export class InventoryRepository {
  async running(m: EntityManager, tenant: TenantId, at?: Date): Promise<DeploymentView[]> {
    const rows = await query<DeploymentRow>(
      m,
      `${SELECT} WHERE d.tenant_id = $1 AND ${RUNNING(at === undefined ? null : '$2')} ORDER BY d.environment`,
      at === undefined ? [tenant] : [tenant, at],
    );
    return rows.map(toView);
  }

  /** Deployments whose release contains the digest (a component's, or one platform's of an index). */
  async whereDigestRuns(m: EntityManager, tenant: TenantId, digest: string, at?: Date): Promise<DeploymentView[]> {
    const rows = await query<DeploymentRow>(
      m,
      `${SELECT} WHERE d.tenant_id = $1 AND ${RUNNING(at === undefined ? null : '$3')}
         AND EXISTS (SELECT 1 FROM release_components rc WHERE rc.tenant_id = d.tenant_id AND rc.release_id = d.release_id
                     AND (rc.digest = $2 OR rc.platform_digests @> ARRAY[$2]))
       ORDER BY d.environment`,
      at === undefined ? [tenant, digest] : [tenant, digest, at],
    );
    return rows.map(toView);
  }

  /** Newest first. */
  async history(m: EntityManager, tenant: TenantId, environment: string, limit: number, beforeId?: string): Promise<Array<DeploymentView & { id: string }>> {
    const rows = await query<DeploymentRow>(
      m,
      `${SELECT} WHERE d.tenant_id = $1 AND d.environment = $2 ${beforeId === undefined ? '' : 'AND d.id < $4'}
       ORDER BY d.deployed_at DESC, d.id DESC LIMIT $3`,
      beforeId === undefined ? [tenant, environment, limit] : [tenant, environment, limit, beforeId],
    );
    return rows.map((row) => ({ ...toView(row), id: row.id }));
  }

  /** The release that ran in the environment before the current one (not the current release itself). */
  async previousRelease(m: EntityManager, tenant: TenantId, environment: string): Promise<{ id: string; current?: string } | undefined> {
    const row = await queryOne<{ id: string | null; current: string | null }>(
      m,
      `WITH cur AS (SELECT release_id FROM deployments WHERE tenant_id = $1 AND environment = $2 AND superseded_at IS NULL)
       SELECT (SELECT release_id FROM deployments d WHERE d.tenant_id = $1 AND d.environment = $2 AND d.superseded_at IS NOT NULL
                 AND d.release_id IS DISTINCT FROM (SELECT release_id FROM cur)
               ORDER BY d.superseded_at DESC, d.id DESC LIMIT 1) AS id,
              (SELECT release_id FROM cur) AS current`,
      [tenant, environment],
    );
    if (!row?.id) return undefined;
    return { id: row.id, ...(row.current ? { current: row.current } : {}) };
  }

  async everDeployed(m: EntityManager, tenant: TenantId, environment: string, releaseId: string): Promise<boolean> {
    const rows = await query(m, 'SELECT 1 FROM deployments WHERE tenant_id = $1 AND environment = $2 AND release_id = $3 LIMIT 1', [
      tenant,
      environment,
      releaseId,
    ]);
    return rows.length > 0;
  }
}

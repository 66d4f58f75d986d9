import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';

export interface ReleaseComponent {
  name: string;
  repository: string;
  digest: string;
}

export interface TrackedRelease {
  tenantId: string;
  releaseId: string;
  name: string;
  version: string;
  components: ReleaseComponent[];
  /** Who created it in the orchestrator (`user:…` / `client:…`). */
  createdBy: string;
}

/** A release that matters for re-evaluation: deployed in an environment, or a promotion into it in flight. */
export interface WatchedRelease {
  tenantId: string;
  releaseId: string;
  environment: string;
  state: 'deployed' | 'awaiting-promotion';
}

/** Promotion states in which a verdict change still matters before deployment. */
export const IN_FLIGHT_STATES = ['requested', 'evaluating', 'awaiting_approval', 'approved', 'deploying'];

interface ReleaseSql {
  tenant_id: string;
  release_id: string;
  name: string;
  version: string;
  components: ReleaseComponent[];
  created_by: string;
}
const release = (r: ReleaseSql): TrackedRelease => ({
  tenantId: r.tenant_id,
  releaseId: r.release_id,
  name: r.name,
  version: r.version,
  components: r.components,
  createdBy: r.created_by,
});

/**
 * The orchestrator's facts the policy service needs, kept from its events: releases and their
 * digests, promotion states, and which release is deployed where. Queries take the tenant.
 */
@Injectable()
export class ReleasesRepository {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async upsertRelease(manager: EntityManager, r: TrackedRelease, at: Date): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.tracked_release (tenant_id, release_id, name, version, components, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [r.tenantId, r.releaseId, r.name, r.version, JSON.stringify(r.components), r.createdBy, at],
    );
    await manager.query(
      `INSERT INTO ${this.s}.release_digest (tenant_id, release_id, image_digest)
       SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
      [r.tenantId, r.releaseId, [...new Set(r.components.map((c) => c.digest))]],
    );
  }

  async release(tenantId: string, releaseId: string, manager: EntityManager = this.manager): Promise<TrackedRelease | null> {
    const rows: ReleaseSql[] = await manager.query(
      `SELECT * FROM ${this.s}.tracked_release WHERE tenant_id = $1 AND release_id = $2`,
      [tenantId, releaseId],
    );
    return rows[0] ? release(rows[0]) : null;
  }

  /** Releases by (tenant, release id), keyed `<tenant>\u0000<release id>`. */
  async releasesMany(keys: ReadonlyArray<{ tenantId: string; releaseId: string }>, manager: EntityManager = this.manager): Promise<Map<string, TrackedRelease>> {
    if (keys.length === 0) return new Map();
    const rows: ReleaseSql[] = await manager.query(
      `SELECT r.* FROM ${this.s}.tracked_release r
       JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id text, release_id text) ON k.tenant_id = r.tenant_id AND k.release_id = r.release_id`,
      [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, release_id: k.releaseId })))],
    );
    return new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.release_id}`, release(r)]));
  }

  /** Deployed releases of many (tenant, environment) pairs, keyed `<tenant>\u0000<environment>`. */
  async deployedInMany(keys: ReadonlyArray<{ tenantId: string; environment: string }>, manager: EntityManager = this.manager): Promise<Map<string, TrackedRelease>> {
    if (keys.length === 0) return new Map();
    const rows: Array<ReleaseSql & { environment: string }> = await manager.query(
      `SELECT r.*, d.environment FROM ${this.s}.deployed_release d
       JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id text, environment text) ON k.tenant_id = d.tenant_id AND k.environment = d.environment
       JOIN ${this.s}.tracked_release r ON r.tenant_id = d.tenant_id AND r.release_id = d.release_id`,
      [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, environment: k.environment })))],
    );
    return new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.environment}`, release(r)]));
  }

  /** Records a promotion transition unless a later one (higher seq) is already known. */
  async recordTransition(
    manager: EntityManager,
    t: { tenantId: string; promotionId: string; releaseId: string; environment: string; state: string; seq: number; at: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.tracked_promotion (tenant_id, promotion_id, release_id, environment, state, seq, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, promotion_id) DO UPDATE SET state = EXCLUDED.state, seq = EXCLUDED.seq, updated_at = EXCLUDED.updated_at
       WHERE ${this.s}.tracked_promotion.seq < EXCLUDED.seq`,
      [t.tenantId, t.promotionId, t.releaseId, t.environment, t.state, t.seq, t.at],
    );
  }

  async recordDeployment(
    manager: EntityManager,
    d: { tenantId: string; environment: string; releaseId: string; promotionId: string; at: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.deployed_release (tenant_id, environment, release_id, promotion_id, deployed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, environment) DO UPDATE SET release_id = EXCLUDED.release_id,
         promotion_id = EXCLUDED.promotion_id, deployed_at = EXCLUDED.deployed_at
       WHERE ${this.s}.deployed_release.deployed_at <= EXCLUDED.deployed_at`,
      [d.tenantId, d.environment, d.releaseId, d.promotionId, d.at],
    );
  }

  /** The release deployed in an environment now (the delta's baseline). */
  async deployedIn(tenantId: string, environment: string, manager: EntityManager = this.manager): Promise<TrackedRelease | null> {
    const rows: ReleaseSql[] = await manager.query(
      `SELECT r.* FROM ${this.s}.deployed_release d
       JOIN ${this.s}.tracked_release r ON r.tenant_id = d.tenant_id AND r.release_id = d.release_id
       WHERE d.tenant_id = $1 AND d.environment = $2`,
      [tenantId, environment],
    );
    return rows[0] ? release(rows[0]) : null;
  }

  /**
   * Releases containing any of the digests that are deployed somewhere or have a promotion in
   * flight, with the environment concerned (every tenant: the digests' findings are shared).
   */
  async watchedContaining(digests: readonly string[], manager: EntityManager = this.manager): Promise<WatchedRelease[]> {
    if (digests.length === 0) return [];
    const rows: Array<{ tenant_id: string; release_id: string; environment: string; state: WatchedRelease['state'] }> =
      await manager.query(
        `WITH hit AS (SELECT DISTINCT tenant_id, release_id FROM ${this.s}.release_digest WHERE image_digest = ANY($1::text[]))
         SELECT d.tenant_id, d.release_id, d.environment, 'deployed' AS state
           FROM ${this.s}.deployed_release d JOIN hit h ON h.tenant_id = d.tenant_id AND h.release_id = d.release_id
         UNION
         SELECT p.tenant_id, p.release_id, p.environment, 'awaiting-promotion' AS state
           FROM ${this.s}.tracked_promotion p JOIN hit h ON h.tenant_id = p.tenant_id AND h.release_id = p.release_id
           WHERE p.state = ANY($2::text[])
         ORDER BY 1, 2, 3, 4`,
        [digests, IN_FLIGHT_STATES],
      );
    // A release deployed in an environment and promoted there again counts once, as deployed.
    const seen = new Map<string, WatchedRelease>();
    for (const r of rows) {
      const key = `${r.tenant_id}\u0000${r.release_id}\u0000${r.environment}`;
      if (!seen.has(key) || r.state === 'deployed')
        seen.set(key, { tenantId: r.tenant_id, releaseId: r.release_id, environment: r.environment, state: r.state });
    }
    return [...seen.values()];
  }
}

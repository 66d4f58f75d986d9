import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrchestratorError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { isUniqueViolation, iso, query } from '../persistence/sql';
import type { ReleaseComponentView, ReleaseManifest, ReleaseView } from './release.model';

interface ReleaseRow {
  id: string;
  name: string;
  version: string;
  manifest: string;
  created_at: Date;
  created_by: string;
  origin: ReleaseView['origin'];
}

interface ComponentRow {
  release_id: string;
  component: string;
  repository: string;
  digest: string;
  media_type: string;
  source_tag: string | null;
  platforms: Array<{ platform: string; digest: string }>;
}

/** `name@version`, or a release id (`sha256:…`). */
export type ReleaseSelector = { id: string } | { name: string; version: string };

export function describeSelector(selector: ReleaseSelector): string {
  return 'id' in selector ? selector.id : `${selector.name}@${selector.version}`;
}

@Injectable()
export class ReleasesRepository {
  async insert(m: EntityManager, tenant: TenantId, release: ReleaseView): Promise<void> {
    try {
      await query(
        m,
        `WITH release AS (
           INSERT INTO releases (tenant_id, id, name, version, manifest, created_at, created_by, origin)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           RETURNING id
         )
         INSERT INTO release_components (tenant_id, release_id, component, repository, digest, media_type, source_tag, platforms, platform_digests)
         SELECT $1, (SELECT id FROM release), c.component, c.repository, c.digest, c.media_type, c.source_tag, c.platforms,
                ARRAY(SELECT jsonb_array_elements(c.platforms) ->> 'digest')
         FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::jsonb[])
           AS c(component, repository, digest, media_type, source_tag, platforms)`,
        [
          tenant,
          release.id,
          release.name,
          release.version,
          JSON.stringify(release.manifest),
          release.createdAt,
          release.createdBy,
          release.origin,
          release.components.map((c) => c.name),
          release.components.map((c) => c.repository),
          release.components.map((c) => c.digest),
          release.components.map((c) => c.mediaType),
          release.components.map((c) => c.tag ?? null),
          release.components.map((c) => JSON.stringify(c.platforms)),
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OrchestratorError('RELEASE_VERSION_EXISTS', `release ${release.name}@${release.version} already exists`, {
          name: release.name,
          version: release.version,
        });
      }
      throw error;
    }
  }

  async exists(m: EntityManager, tenant: TenantId, name: string, version: string): Promise<boolean> {
    const rows = await query(m, 'SELECT 1 FROM releases WHERE tenant_id = $1 AND name = $2 AND version = $3', [tenant, name, version]);
    return rows.length > 0;
  }

  async find(m: EntityManager, tenant: TenantId, selector: ReleaseSelector): Promise<ReleaseView | undefined> {
    const rows =
      'id' in selector
        ? await query<ReleaseRow>(m, `SELECT ${RELEASE_COLUMNS} FROM releases WHERE tenant_id = $1 AND id = $2`, [tenant, selector.id])
        : await query<ReleaseRow>(m, `SELECT ${RELEASE_COLUMNS} FROM releases WHERE tenant_id = $1 AND name = $2 AND version = $3`, [
            tenant,
            selector.name,
            selector.version,
          ]);
    const [view] = await this.withComponents(m, tenant, rows);
    return view;
  }

  async get(m: EntityManager, tenant: TenantId, selector: ReleaseSelector): Promise<ReleaseView> {
    const view = await this.find(m, tenant, selector);
    if (!view) {
      throw new OrchestratorError('RELEASE_NOT_FOUND', `release ${describeSelector(selector)} does not exist`, {
        release: describeSelector(selector),
      });
    }
    return view;
  }

  /** Newest first; `before` is the (createdAt, id) of the last item of the previous page. */
  async list(
    m: EntityManager,
    tenant: TenantId,
    filter: { name?: string; limit: number; before?: { createdAt: string; id: string } },
  ): Promise<ReleaseView[]> {
    const params: unknown[] = [tenant, filter.limit];
    let where = 'tenant_id = $1';
    if (filter.name !== undefined) {
      params.push(filter.name);
      where += ` AND name = $${params.length}`;
    }
    if (filter.before) {
      params.push(filter.before.createdAt, filter.before.id);
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`;
    }
    const rows = await query<ReleaseRow>(
      m,
      `SELECT ${RELEASE_COLUMNS} FROM releases WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    return this.withComponents(m, tenant, rows);
  }

  /** Components of many releases in one query (no N+1). */
  private async withComponents(m: EntityManager, tenant: TenantId, rows: ReleaseRow[]): Promise<ReleaseView[]> {
    if (rows.length === 0) return [];
    const components = await query<ComponentRow>(
      m,
      `SELECT release_id, component, repository, digest, media_type, source_tag, platforms
       FROM release_components WHERE tenant_id = $1 AND release_id = ANY($2) ORDER BY component`,
      [tenant, rows.map((r) => r.id)],
    );
    const byRelease = new Map<string, ReleaseComponentView[]>();
    for (const c of components) {
      const list = byRelease.get(c.release_id) ?? [];
      list.push({
        name: c.component,
        repository: c.repository,
        digest: c.digest,
        mediaType: c.media_type,
        ...(c.source_tag === null ? {} : { tag: c.source_tag }),
        platforms: c.platforms,
      });
      byRelease.set(c.release_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      manifestDigest: r.id,
      manifest: JSON.parse(r.manifest) as ReleaseManifest,
      components: byRelease.get(r.id) ?? [],
      origin: r.origin,
      createdAt: iso(r.created_at),
      createdBy: r.created_by,
    }));
  }
}

const RELEASE_COLUMNS = 'id, name, version, manifest, created_at, created_by, origin';

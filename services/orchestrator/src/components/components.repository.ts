import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrchestratorError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { isUniqueViolation, iso, query } from '../persistence/sql';

export interface ComponentView {
  name: string;
  repository: string;
  /** Pushes of SemVer tags to the repository become releases (registry notification intake). */
  autoRelease: boolean;
  createdAt: string;
  createdBy: string;
}

interface ComponentRow {
  name: string;
  repository: string;
  auto_release: boolean;
  created_at: Date;
  created_by: string;
}

const toView = (r: ComponentRow): ComponentView => ({
  name: r.name,
  repository: r.repository,
  autoRelease: r.auto_release,
  createdAt: iso(r.created_at),
  createdBy: r.created_by,
});

@Injectable()
export class ComponentsRepository {
  async list(m: EntityManager, tenant: TenantId, names?: readonly string[]): Promise<ComponentView[]> {
    const rows =
      names === undefined
        ? await query<ComponentRow>(m, 'SELECT * FROM components WHERE tenant_id = $1 ORDER BY name', [tenant])
        : await query<ComponentRow>(m, 'SELECT * FROM components WHERE tenant_id = $1 AND name = ANY($2) ORDER BY name', [
            tenant,
            names,
          ]);
    return rows.map(toView);
  }

  async insert(m: EntityManager, tenant: TenantId, component: ComponentView): Promise<void> {
    try {
      await query(
        m,
        'INSERT INTO components (tenant_id, name, repository, auto_release, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
        [tenant, component.name, component.repository, component.autoRelease, component.createdAt, component.createdBy],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OrchestratorError('COMPONENT_EXISTS', `component ${component.name} already exists`, { component: component.name });
      }
      throw error;
    }
  }

  /** Inserts the components that do not exist yet; returns the names it inserted. */
  async insertMissing(m: EntityManager, tenant: TenantId, components: readonly ComponentView[]): Promise<string[]> {
    if (components.length === 0) return [];
    const rows = await query<{ name: string }>(
      m,
      `INSERT INTO components (tenant_id, name, repository, auto_release, created_at, created_by)
       SELECT $1, c.name, c.repository, false, $4, $5 FROM unnest($2::text[], $3::text[]) AS c(name, repository)
       ON CONFLICT (tenant_id, name) DO NOTHING RETURNING name`,
      [tenant, components.map((c) => c.name), components.map((c) => c.repository), components[0]!.createdAt, components[0]!.createdBy],
    );
    return rows.map((r) => r.name);
  }

  /** The tenant's auto-release components bound to a repository (registry intake). */
  async autoReleaseFor(m: EntityManager, tenant: TenantId, repository: string): Promise<ComponentView[]> {
    const rows = await query<ComponentRow>(
      m,
      'SELECT * FROM components WHERE tenant_id = $1 AND repository = $2 AND auto_release ORDER BY name',
      [tenant, repository],
    );
    return rows.map(toView);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AUTHORITY_DATA_SOURCE } from '../common/tokens';
import { TenantEntity } from './tenant.entity';

@Injectable()
export class TenantRepository {
  constructor(@Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  find(tenantId: string, manager: EntityManager = this.dataSource.manager): Promise<TenantEntity | null> {
    return manager.findOne(TenantEntity, { where: { id: tenantId } });
  }

  list(): Promise<TenantEntity[]> {
    return this.dataSource.manager.find(TenantEntity, { order: { createdAt: 'ASC' } });
  }

  /** Returns false when the tenant already exists. */
  async insert(manager: EntityManager, tenant: TenantEntity): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id',
      [tenant.id, tenant.name, tenant.createdAt],
    );
    return rows.length > 0;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AUTHORITY_DATA_SOURCE } from '../common/tokens';
import { UserEntity, UserRoleEntity } from './user.entity';

export interface UserWithRoles {
  user: UserEntity;
  roles: string[];
}

/** Users and their roles; every query takes the tenant. */
@Injectable()
export class UserRepository {
  constructor(@Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async findForLogin(tenantId: string, username: string): Promise<UserWithRoles | null> {
    const user = await this.dataSource.manager.findOne(UserEntity, { where: { tenantId, username } });
    if (!user) return null;
    return { user, roles: await this.rolesOf(user.id) };
  }

  listInTenant(tenantId: string): Promise<UserEntity[]> {
    return this.dataSource.manager.find(UserEntity, { where: { tenantId }, order: { createdAt: 'ASC' } });
  }

  findInTenant(
    tenantId: string,
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserEntity | null> {
    return manager.findOne(UserEntity, { where: { tenantId, id: userId } });
  }

  findInTenantForUpdate(
    manager: EntityManager,
    tenantId: string,
    userId: string,
  ): Promise<UserEntity | null> {
    return manager.findOne(UserEntity, {
      where: { tenantId, id: userId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async rolesOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows = await manager.find(UserRoleEntity, { where: { userId }, order: { role: 'ASC' } });
    return rows.map((row) => row.role);
  }

  async insert(manager: EntityManager, user: UserEntity): Promise<void> {
    await manager.insert(UserEntity, user);
  }

  async update(
    manager: EntityManager,
    tenantId: string,
    userId: string,
    patch: Partial<Pick<UserEntity, 'passwordHash' | 'disabled'>> & { updatedAt: Date },
  ): Promise<void> {
    await manager.update(UserEntity, { tenantId, id: userId }, patch);
  }

  /** Returns false when the user already had the role. */
  async grantRole(manager: EntityManager, userId: string, role: string, grantedAt: Date): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING role',
      [userId, role, grantedAt],
    );
    return rows.length > 0;
  }

  /** Returns false when the user did not have the role. */
  async revokeRole(manager: EntityManager, userId: string, role: string): Promise<boolean> {
    const result = await manager.delete(UserRoleEntity, { userId, role });
    return (result.affected ?? 0) > 0;
  }
}

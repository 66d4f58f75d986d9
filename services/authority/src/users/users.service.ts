import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import type { Actor } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import { STELLA_CONFIG } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation, problems } from '../common/problems';
import { generateId } from '../common/secrets';
import { AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityEvents } from '../events/authority-events';
import { isKnownRole, PLATFORM_ADMIN_ROLE } from '../roles/role-catalogue';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UserRepository } from './user.repository';

export interface UserView {
  id: string;
  tenantId: string;
  username: string;
  disabled: boolean;
  roles: string[];
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  username: string;
  password: string;
  roles: string[];
}

function userView(user: UserEntity, roles: string[]): UserView {
  return {
    id: user.id,
    tenantId: user.tenantId,
    username: user.username,
    disabled: user.disabled,
    roles: [...roles].sort(),
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** People who sign in to the console and CLI with the password grant; roles grant their scopes. */
@Injectable()
export class UsersService {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
    @Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    private readonly events: AuthorityEvents,
  ) {}

  async list(tenantId: string): Promise<UserView[]> {
    const users = await this.users.listInTenant(tenantId);
    return Promise.all(users.map(async (user) => userView(user, await this.users.rolesOf(user.id))));
  }

  async get(tenantId: string, userId: string): Promise<UserView> {
    const user = await this.users.findInTenant(tenantId, userId);
    if (!user) throw problems.notFound('user', userId);
    return userView(user, await this.users.rolesOf(user.id));
  }

  async create(tenantId: string, input: NewUser, actor: Actor): Promise<UserView> {
    for (const role of input.roles) this.assertAssignable(tenantId, role);
    // Hash outside the transaction: argon2 takes tens of milliseconds and must not hold a connection.
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return await withTransaction(this.dataSource, (manager) =>
        this.createIn(manager, tenantId, { ...input, passwordHash }, actor),
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw problems.conflict(`user ${input.username} already exists in this tenant`);
      throw error;
    }
  }

  /** Creates a user inside the caller's transaction (bootstrap reuses it). */
  async createIn(
    manager: EntityManager,
    tenantId: string,
    input: { username: string; passwordHash: string; roles: string[] },
    actor: Actor,
  ): Promise<UserView> {
    const now = new Date(this.clock.now());
    const user = Object.assign(new UserEntity(), {
      id: generateId('usr'),
      tenantId,
      username: input.username,
      passwordHash: input.passwordHash,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    });
    await this.users.insert(manager, user);
    await this.events.record(
      manager,
      'stella.authority.user.created',
      { tenantId, userId: user.id, username: user.username, actor },
      user.id,
    );
    const roles = [...new Set(input.roles)];
    for (const role of roles) {
      await this.users.grantRole(manager, user.id, role, now);
      await this.recordRoleAssigned(manager, tenantId, user.id, role, actor);
    }
    return userView(user, roles);
  }

  async setPassword(tenantId: string, userId: string, password: string, actor: Actor): Promise<UserView> {
    const passwordHash = await this.passwords.hash(password);
    return this.mutate(tenantId, userId, async (manager, user) => {
      const updatedAt = new Date(this.clock.now());
      await this.users.update(manager, tenantId, userId, { passwordHash, updatedAt });
      await this.events.record(
        manager,
        'stella.authority.user.updated',
        { tenantId, userId, changedFields: ['password'], actor },
        userId,
      );
      return Object.assign(user, { passwordHash, updatedAt });
    });
  }

  /** A disabled user cannot sign in; tokens already issued live until they expire. */
  async disable(
    tenantId: string,
    userId: string,
    reason: string | undefined,
    actor: Actor,
  ): Promise<UserView> {
    return this.mutate(tenantId, userId, async (manager, user) => {
      if (user.disabled) return user;
      const updatedAt = new Date(this.clock.now());
      await this.users.update(manager, tenantId, userId, { disabled: true, updatedAt });
      await this.events.record(
        manager,
        'stella.authority.user.disabled',
        { tenantId, userId, ...(reason === undefined ? {} : { reason }), actor },
        userId,
      );
      return Object.assign(user, { disabled: true, updatedAt });
    });
  }

  async enable(tenantId: string, userId: string, actor: Actor): Promise<UserView> {
    return this.mutate(tenantId, userId, async (manager, user) => {
      if (!user.disabled) return user;
      const updatedAt = new Date(this.clock.now());
      await this.users.update(manager, tenantId, userId, { disabled: false, updatedAt });
      await this.events.record(
        manager,
        'stella.authority.user.updated',
        { tenantId, userId, changedFields: ['disabled'], actor },
        userId,
      );
      return Object.assign(user, { disabled: false, updatedAt });
    });
  }

  async grantRole(tenantId: string, userId: string, role: string, actor: Actor): Promise<UserView> {
    this.assertAssignable(tenantId, role);
    return this.mutate(tenantId, userId, async (manager, user) => {
      if (await this.users.grantRole(manager, userId, role, new Date(this.clock.now()))) {
        await this.recordRoleAssigned(manager, tenantId, userId, role, actor);
      }
      return user;
    });
  }

  async revokeRole(tenantId: string, userId: string, role: string, actor: Actor): Promise<UserView> {
    return this.mutate(tenantId, userId, async (manager, user) => {
      if (await this.users.revokeRole(manager, userId, role)) {
        await this.events.record(
          manager,
          'stella.authority.user.updated',
          { tenantId, userId, changedFields: ['roles'], actor },
          userId,
        );
      }
      return user;
    });
  }

  private async recordRoleAssigned(
    manager: EntityManager,
    tenantId: string,
    userId: string,
    role: string,
    actor: Actor,
  ): Promise<void> {
    await this.events.record(
      manager,
      'stella.authority.role.assigned',
      { tenantId, principal: { type: 'user', id: userId }, role, actor },
      userId,
    );
  }

  private async mutate(
    tenantId: string,
    userId: string,
    work: (manager: EntityManager, user: UserEntity) => Promise<UserEntity>,
  ): Promise<UserView> {
    return withTransaction(this.dataSource, async (manager) => {
      const current = await this.users.findInTenantForUpdate(manager, tenantId, userId);
      if (!current) throw problems.notFound('user', userId);
      const user = await work(manager, current);
      return userView(user, await this.users.rolesOf(userId, manager));
    });
  }

  private assertAssignable(tenantId: string, role: string): void {
    if (!isKnownRole(role)) throw problems.unknownRole(role);
    // Platform administration exists only in the operator's tenant.
    if (role === PLATFORM_ADMIN_ROLE && tenantId !== this.config.authorityBootstrapTenant) {
      throw problems.unknownRole(role);
    }
  }
}

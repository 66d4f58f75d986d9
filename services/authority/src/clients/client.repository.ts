import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AUTHORITY_DATA_SOURCE } from '../common/tokens';
import { ClientEntity } from './client.entity';

export type ClientPatch = Partial<
  Pick<
    ClientEntity,
    'name' | 'allowedScopes' | 'disabled' | 'disabledReason' | 'secretSha256' | 'secretVersion'
  >
>;

/** What the token endpoint needs to authenticate a client and scope its token. */
export type AuthenticatingClient = Pick<
  ClientEntity,
  'clientId' | 'tenantId' | 'secretSha256' | 'allowedScopes' | 'disabled'
>;

/** Clients. Every query except the token endpoint's lookup takes the tenant, so tenants cannot leak. */
@Injectable()
export class ClientRepository {
  constructor(@Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Client ids are globally unique: the token endpoint knows the id, not the tenant. Plain SQL on
   * purpose: this runs once per token request, and TypeORM's query building cost more than the query.
   */
  async findForAuthentication(clientId: string): Promise<AuthenticatingClient | null> {
    const rows: Array<{
      tenant_id: string;
      secret_sha256: Buffer;
      allowed_scopes: string[];
      disabled: boolean;
    }> = await this.dataSource.query(
      'SELECT tenant_id, secret_sha256, allowed_scopes, disabled FROM clients WHERE client_id = $1',
      [clientId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      clientId,
      tenantId: row.tenant_id,
      secretSha256: row.secret_sha256,
      allowedScopes: row.allowed_scopes,
      disabled: row.disabled,
    };
  }

  listInTenant(tenantId: string): Promise<ClientEntity[]> {
    return this.dataSource.manager.find(ClientEntity, { where: { tenantId }, order: { createdAt: 'ASC' } });
  }

  findInTenant(
    tenantId: string,
    clientId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ClientEntity | null> {
    return manager.findOne(ClientEntity, { where: { tenantId, clientId } });
  }

  /** Locks the row for a read-modify-write inside the caller's transaction. */
  findInTenantForUpdate(
    manager: EntityManager,
    tenantId: string,
    clientId: string,
  ): Promise<ClientEntity | null> {
    return manager.findOne(ClientEntity, {
      where: { tenantId, clientId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async insert(manager: EntityManager, client: ClientEntity): Promise<void> {
    await manager.insert(ClientEntity, client);
  }

  async update(
    manager: EntityManager,
    tenantId: string,
    clientId: string,
    patch: ClientPatch & { updatedAt: Date },
  ): Promise<void> {
    await manager.update(ClientEntity, { tenantId, clientId }, patch);
  }
}

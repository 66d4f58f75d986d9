import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import type { Actor } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import { STELLA_CONFIG } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation, problems } from '../common/problems';
import { generateClientSecret, generateId, hashClientSecret } from '../common/secrets';
import { AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityEvents } from '../events/authority-events';
import { ScopeCatalogue } from '../roles/scope-catalogue';
import { ClientEntity } from './client.entity';
import { ClientRepository } from './client.repository';

export interface ClientView {
  clientId: string;
  tenantId: string;
  name: string;
  grantTypes: ['client_credentials'];
  allowedScopes: string[];
  disabled: boolean;
  disabledReason?: string;
  secretVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface ClientWithSecret {
  client: ClientView;
  /** Shown exactly once; only its SHA-256 is stored. */
  clientSecret: string;
}

export interface NewClient {
  name: string;
  allowedScopes: string[];
  clientId?: string;
}

export function clientView(client: ClientEntity): ClientView {
  return {
    clientId: client.clientId,
    tenantId: client.tenantId,
    name: client.name,
    grantTypes: ['client_credentials'],
    allowedScopes: [...client.allowedScopes].sort(),
    disabled: client.disabled,
    ...(client.disabledReason ? { disabledReason: client.disabledReason } : {}),
    secretVersion: client.secretVersion,
    createdAt: client.createdAt.toISOString(),
    updatedAt: client.updatedAt.toISOString(),
  };
}

/** OAuth clients of a tenant: machines (CI, services, agents) using client_credentials. */
@Injectable()
export class ClientsService {
  private readonly scopes: ScopeCatalogue;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
    @Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly clients: ClientRepository,
    private readonly events: AuthorityEvents,
  ) {
    this.scopes = new ScopeCatalogue(config.authorityExtraScopes);
  }

  async list(tenantId: string): Promise<ClientView[]> {
    return (await this.clients.listInTenant(tenantId)).map(clientView);
  }

  async get(tenantId: string, clientId: string): Promise<ClientView> {
    const client = await this.clients.findInTenant(tenantId, clientId);
    if (!client) throw problems.notFound('client', clientId);
    return clientView(client);
  }

  async create(tenantId: string, input: NewClient, actor: Actor): Promise<ClientWithSecret> {
    try {
      return await withTransaction(this.dataSource, (manager) =>
        this.createIn(manager, tenantId, input, actor),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw problems.conflict('a client with this id or name already exists');
      throw error;
    }
  }

  /** Creates a client inside the caller's transaction (tenant creation and bootstrap reuse it). */
  async createIn(
    manager: EntityManager,
    tenantId: string,
    input: NewClient,
    actor: Actor,
  ): Promise<ClientWithSecret> {
    this.assertGrantable(tenantId, input.allowedScopes);
    const now = new Date(this.clock.now());
    const clientSecret = generateClientSecret();
    const client = Object.assign(new ClientEntity(), {
      clientId: input.clientId ?? generateId('cli'),
      tenantId,
      name: input.name,
      secretSha256: hashClientSecret(clientSecret),
      secretVersion: 1,
      allowedScopes: [...new Set(input.allowedScopes)].sort(),
      disabled: false,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.clients.insert(manager, client);
    await this.events.record(
      manager,
      'stella.authority.client.created',
      {
        tenantId,
        clientId: client.clientId,
        name: client.name,
        grantTypes: ['client_credentials'],
        scopes: client.allowedScopes,
        actor,
      },
      client.clientId,
    );
    return { client: clientView(client), clientSecret };
  }

  async update(
    tenantId: string,
    clientId: string,
    patch: { name?: string; allowedScopes?: string[] },
    actor: Actor,
  ): Promise<ClientView> {
    if (patch.allowedScopes) this.assertGrantable(tenantId, patch.allowedScopes);
    try {
      return await this.mutate(tenantId, clientId, async (manager, client) => {
        const changes: { name?: string; allowedScopes?: string[] } = {};
        if (patch.name !== undefined && patch.name !== client.name) changes.name = patch.name;
        const scopes = patch.allowedScopes ? [...new Set(patch.allowedScopes)].sort() : undefined;
        if (scopes && scopes.join(' ') !== [...client.allowedScopes].sort().join(' '))
          changes.allowedScopes = scopes;
        const changedFields = Object.keys(changes);
        if (changedFields.length === 0) return client;
        const updatedAt = new Date(this.clock.now());
        await this.clients.update(manager, tenantId, clientId, { ...changes, updatedAt });
        await this.events.record(
          manager,
          'stella.authority.client.updated',
          { tenantId, clientId, changedFields, actor },
          clientId,
        );
        return Object.assign(client, changes, { updatedAt });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw problems.conflict('another client of this tenant has this name');
      throw error;
    }
  }

  /** New token requests of a disabled client fail at once; tokens already issued live until they expire. */
  async disable(
    tenantId: string,
    clientId: string,
    reason: string | undefined,
    actor: Actor,
  ): Promise<ClientView> {
    return this.mutate(tenantId, clientId, async (manager, client) => {
      if (client.disabled) return client;
      const updatedAt = new Date(this.clock.now());
      const disabledReason = reason ?? null;
      await this.clients.update(manager, tenantId, clientId, { disabled: true, disabledReason, updatedAt });
      await this.events.record(
        manager,
        'stella.authority.client.disabled',
        { tenantId, clientId, ...(reason === undefined ? {} : { reason }), actor },
        clientId,
      );
      return Object.assign(client, { disabled: true, disabledReason, updatedAt });
    });
  }

  async enable(tenantId: string, clientId: string, actor: Actor): Promise<ClientView> {
    return this.mutate(tenantId, clientId, async (manager, client) => {
      if (!client.disabled) return client;
      const updatedAt = new Date(this.clock.now());
      await this.clients.update(manager, tenantId, clientId, {
        disabled: false,
        disabledReason: null,
        updatedAt,
      });
      await this.events.record(
        manager,
        'stella.authority.client.updated',
        { tenantId, clientId, changedFields: ['disabled'], actor },
        clientId,
      );
      return Object.assign(client, { disabled: false, disabledReason: null, updatedAt });
    });
  }

  /** The old secret stops working immediately. */
  async rotateSecret(tenantId: string, clientId: string, actor: Actor): Promise<ClientWithSecret> {
    const clientSecret = generateClientSecret();
    const client = await this.mutate(tenantId, clientId, async (manager, current) => {
      const updatedAt = new Date(this.clock.now());
      const secretVersion = current.secretVersion + 1;
      const secretSha256 = hashClientSecret(clientSecret);
      await this.clients.update(manager, tenantId, clientId, { secretSha256, secretVersion, updatedAt });
      await this.events.record(
        manager,
        'stella.authority.client.secret_rotated',
        { tenantId, clientId, secretVersion, actor },
        clientId,
      );
      return Object.assign(current, { secretSha256, secretVersion, updatedAt });
    });
    return { client, clientSecret };
  }

  private async mutate(
    tenantId: string,
    clientId: string,
    work: (manager: EntityManager, client: ClientEntity) => Promise<ClientEntity>,
  ): Promise<ClientView> {
    const client = await withTransaction(this.dataSource, async (manager) => {
      const current = await this.clients.findInTenantForUpdate(manager, tenantId, clientId);
      if (!current) throw problems.notFound('client', clientId);
      return work(manager, current);
    });
    return clientView(client);
  }

  private assertGrantable(tenantId: string, scopes: readonly string[]): void {
    const grantable = new Set(this.scopes.grantableIn(tenantId, this.config.authorityBootstrapTenant));
    const refused = scopes.filter((scope) => !grantable.has(scope));
    if (refused.length > 0) throw problems.unknownScopes(refused);
  }
}

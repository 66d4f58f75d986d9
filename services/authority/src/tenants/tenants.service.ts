import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import type { Actor } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import { STELLA_CONFIG } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { ClientsService, type ClientWithSecret } from '../clients/clients.service';
import { problems } from '../common/problems';
import { AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityEvents } from '../events/authority-events';
import { ScopeCatalogue } from '../roles/scope-catalogue';
import { TenantEntity } from './tenant.entity';
import { TenantRepository } from './tenant.repository';

export interface TenantView {
  id: string;
  name: string;
  createdAt: string;
}

export interface CreatedTenant {
  tenant: TenantView;
  /** The tenant's first admin client (scope authority:admin and every tenant scope); secret shown once. */
  adminClient: ClientWithSecret;
}

function tenantView(tenant: TenantEntity): TenantView {
  return { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString() };
}

@Injectable()
export class TenantsService {
  private readonly scopes: ScopeCatalogue;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
    @Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
    private readonly clients: ClientsService,
    private readonly events: AuthorityEvents,
  ) {
    this.scopes = new ScopeCatalogue(config.authorityExtraScopes);
  }

  async list(): Promise<TenantView[]> {
    return (await this.tenants.list()).map(tenantView);
  }

  async get(tenantId: string): Promise<TenantView> {
    const tenant = await this.tenants.find(tenantId);
    if (!tenant) throw problems.notFound('tenant', tenantId);
    return tenantView(tenant);
  }

  async create(input: { id: string; name: string }, actor: Actor): Promise<CreatedTenant> {
    return withTransaction(this.dataSource, async (manager) => {
      const tenant = await this.createIn(manager, input, actor);
      if (!tenant) throw problems.conflict(`tenant ${input.id} already exists`);
      const adminClient = await this.clients.createIn(
        manager,
        input.id,
        {
          name: `${input.id} administrator`,
          allowedScopes: [...this.scopes.grantableIn(input.id, this.config.authorityBootstrapTenant)],
        },
        actor,
      );
      return { tenant: tenantView(tenant), adminClient };
    });
  }

  /** Creates the tenant in the caller's transaction; undefined when it already exists. */
  async createIn(
    manager: EntityManager,
    input: { id: string; name: string },
    actor: Actor,
  ): Promise<TenantEntity | undefined> {
    const tenant = Object.assign(new TenantEntity(), { ...input, createdAt: new Date(this.clock.now()) });
    if (!(await this.tenants.insert(manager, tenant))) return undefined;
    await this.events.record(
      manager,
      'stella.authority.tenant.created',
      { tenantId: tenant.id, name: tenant.name, actor },
      tenant.id,
    );
    return tenant;
  }
}

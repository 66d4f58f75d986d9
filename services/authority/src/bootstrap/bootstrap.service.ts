import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import type { Logger } from '@stella/observability';
import { STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { schemaOf } from '@stella/db';
import type { DataSource } from 'typeorm';
import { ClientsService } from '../clients/clients.service';
import { SYSTEM_ACTOR } from '../common/actor';
import { generatePassword } from '../common/secrets';
import { AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE } from '../common/tokens';
import { issuerOf, type AuthorityConfig } from '../config/authority-config';
import { PLATFORM_ADMIN_ROLE } from '../roles/role-catalogue';
import { ScopeCatalogue } from '../roles/scope-catalogue';
import { TenantsService } from '../tenants/tenants.service';
import { PasswordHasher } from '../users/password-hasher';
import { UsersService } from '../users/users.service';

const BOOTSTRAP_LOCK = 'stella.authority.bootstrap';
export const BOOTSTRAP_ADMIN_CLIENT_ID = 'stella-admin';

export interface BootstrapCredentials {
  issuer: string;
  tokenEndpoint: string;
  tenant: string;
  adminUser: { id: string; username: string; password: string; roles: string[] };
  adminClient: { clientId: string; clientSecret: string; scopes: string[] };
  /** Client id for password logins (no secret): the console and the CLI. */
  publicClientId: string;
  createdAt: string;
}

/**
 * First start: creates the bootstrap tenant, an administrator user and an administrator client,
 * and writes their credentials to a 0600 file (never to logs). Later starts, and replicas racing
 * the first one, find the bootstrap recorded in Postgres and do nothing.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
    @Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly clients: ClientsService,
    private readonly passwords: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = await this.bootstrapOnce();
    if (path === undefined) return;
    this.logger.warn(
      { path },
      'first start: administrator credentials written to this file (0600); store them safely and delete it',
    );
    process.stdout.write(`stella-authority: first start; administrator credentials written to ${path}\n`);
  }

  /** Returns the credentials file path when this call bootstrapped, undefined when already done. */
  async bootstrapOnce(): Promise<string | undefined> {
    const c = this.config;
    const password = generatePassword();
    const passwordHash = await this.passwords.hash(password);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `${BOOTSTRAP_LOCK}:${schemaOf(this.dataSource)}`,
      ]);
      const done: unknown[] = await manager.query('SELECT 1 FROM bootstrap_state');
      if (done.length > 0) return undefined;

      const tenantId = c.authorityBootstrapTenant;
      await this.tenants.createIn(manager, { id: tenantId, name: 'Default tenant' }, SYSTEM_ACTOR);
      const user = await this.users.createIn(
        manager,
        tenantId,
        { username: c.authorityBootstrapAdminUsername, passwordHash, roles: [PLATFORM_ADMIN_ROLE] },
        SYSTEM_ACTOR,
      );
      const allScopes = [...new ScopeCatalogue(c.authorityExtraScopes).all];
      const client = await this.clients.createIn(
        manager,
        tenantId,
        { clientId: BOOTSTRAP_ADMIN_CLIENT_ID, name: 'Platform administrator', allowedScopes: allScopes },
        SYSTEM_ACTOR,
      );
      const createdAt = new Date(this.clock.now());
      await manager.query('INSERT INTO bootstrap_state (completed_at, tenant_id) VALUES ($1, $2)', [
        createdAt,
        tenantId,
      ]);

      const issuer = issuerOf(c);
      const credentials: BootstrapCredentials = {
        issuer,
        tokenEndpoint: `${issuer}/oauth/token`,
        tenant: tenantId,
        adminUser: { id: user.id, username: user.username, password, roles: user.roles },
        adminClient: {
          clientId: client.client.clientId,
          clientSecret: client.clientSecret,
          scopes: client.client.allowedScopes,
        },
        publicClientId: c.authorityPublicClients[0] ?? 'stella-cli',
        createdAt: createdAt.toISOString(),
      };
      // Written before the commit: if writing fails, the bootstrap rolls back and the next start retries.
      return writeCredentialsFile(resolve(c.authorityBootstrapFile), credentials);
    });
  }
}

function writeCredentialsFile(path: string, credentials: BootstrapCredentials): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // The mode option applies only when the file is created; an older file keeps its mode otherwise.
  chmodSync(path, 0o600);
  return path;
}

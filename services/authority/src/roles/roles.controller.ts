import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@stella/auth';
import { STELLA_CONFIG } from '@stella/platform';
import type { AuthorityConfig } from '../config/authority-config';
import { PLATFORM_ADMIN_ROLE, ROLE_SCOPES, scopesOfRoles } from './role-catalogue';
import { ScopeCatalogue } from './scope-catalogue';

interface RoleView {
  name: string;
  scopes: string[];
  bootstrapTenantOnly: boolean;
}

/** The built-in roles and the scopes they grant (any valid token may read them). */
@Controller('api/v1/roles')
@UseGuards(AuthGuard)
export class RolesController {
  private readonly roles: RoleView[];

  constructor(@Inject(STELLA_CONFIG) config: AuthorityConfig) {
    const all = new ScopeCatalogue(config.authorityExtraScopes).all;
    this.roles = Object.keys(ROLE_SCOPES)
      .sort()
      .map((name) => ({
        name,
        scopes: [...scopesOfRoles([name], all)].sort(),
        bootstrapTenantOnly: name === PLATFORM_ADMIN_ROLE,
      }));
  }

  @Get()
  list(): { items: RoleView[] } {
    return { items: this.roles };
  }
}

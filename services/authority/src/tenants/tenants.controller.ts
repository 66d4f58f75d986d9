import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { AnyScope, AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { actorOf } from '../common/actor';
import { displayNameSchema, tenantIdSchema } from '../common/schemas';
import { TenantsService, type CreatedTenant, type TenantView } from './tenants.service';

const createTenantBody = z.strictObject({ id: tenantIdSchema, name: displayNameSchema });

@Controller('api/v1/tenants')
@UseGuards(AuthGuard)
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  /** Platform operators only (authority:tenants exists only in the bootstrap tenant). */
  @Get()
  @Scopes('authority:tenants')
  async list(): Promise<{ items: TenantView[] }> {
    return { items: await this.tenants.list() };
  }

  @Post()
  @Scopes('authority:tenants')
  create(
    @Body(new ZodValidationPipe(createTenantBody)) body: z.infer<typeof createTenantBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CreatedTenant> {
    return this.tenants.create(body, actorOf(principal));
  }

  @Get(':tenant')
  @AnyScope('authority:admin', 'authority:read')
  get(@Param('tenant') tenant: string): Promise<TenantView> {
    return this.tenants.get(tenant);
  }
}

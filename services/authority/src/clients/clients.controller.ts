import { Body, Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AnyScope, AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { actorOf } from '../common/actor';
import { clientIdSchema, displayNameSchema, reasonSchema, scopeListSchema } from '../common/schemas';
import { ClientsService, type ClientView, type ClientWithSecret } from './clients.service';

const createClientBody = z.strictObject({
  name: displayNameSchema,
  allowedScopes: scopeListSchema.min(1),
  clientId: clientIdSchema.optional(),
});
const updateClientBody = z
  .strictObject({ name: displayNameSchema.optional(), allowedScopes: scopeListSchema.min(1).optional() })
  .refine((body) => body.name !== undefined || body.allowedScopes !== undefined, 'nothing to change');
const disableClientBody = z.strictObject({ reason: reasonSchema.optional() }).default({});

/** Tenant-scoped: the guard refuses a token whose tenant is not `:tenant`. */
@Controller('api/v1/tenants/:tenant/clients')
@UseGuards(AuthGuard)
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @AnyScope('authority:admin', 'authority:read')
  async list(@Param('tenant') tenant: string): Promise<{ items: ClientView[] }> {
    return { items: await this.clients.list(tenant) };
  }

  @Get(':clientId')
  @AnyScope('authority:admin', 'authority:read')
  get(@Param('tenant') tenant: string, @Param('clientId') clientId: string): Promise<ClientView> {
    return this.clients.get(tenant, clientId);
  }

  /** Answers the secret once. */
  @Post()
  @Scopes('authority:admin')
  create(
    @Param('tenant') tenant: string,
    @Body(new ZodValidationPipe(createClientBody)) body: z.infer<typeof createClientBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClientWithSecret> {
    return this.clients.create(tenant, body, actorOf(principal));
  }

  @Patch(':clientId')
  @Scopes('authority:admin')
  update(
    @Param('tenant') tenant: string,
    @Param('clientId') clientId: string,
    @Body(new ZodValidationPipe(updateClientBody)) body: z.infer<typeof updateClientBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClientView> {
    return this.clients.update(tenant, clientId, body, actorOf(principal));
  }

  @Post(':clientId/disable')
  @HttpCode(200)
  @Scopes('authority:admin')
  disable(
    @Param('tenant') tenant: string,
    @Param('clientId') clientId: string,
    @Body(new ZodValidationPipe(disableClientBody)) body: z.infer<typeof disableClientBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClientView> {
    return this.clients.disable(tenant, clientId, body.reason, actorOf(principal));
  }

  @Post(':clientId/enable')
  @HttpCode(200)
  @Scopes('authority:admin')
  enable(
    @Param('tenant') tenant: string,
    @Param('clientId') clientId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClientView> {
    return this.clients.enable(tenant, clientId, actorOf(principal));
  }

  /** Answers the new secret once; the old one stops working immediately. */
  @Post(':clientId/rotate-secret')
  @HttpCode(200)
  @Scopes('authority:admin')
  rotateSecret(
    @Param('tenant') tenant: string,
    @Param('clientId') clientId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClientWithSecret> {
    return this.clients.rotateSecret(tenant, clientId, actorOf(principal));
  }
}

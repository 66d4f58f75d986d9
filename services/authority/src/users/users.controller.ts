import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AnyScope, AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { actorOf } from '../common/actor';
import { passwordSchema, reasonSchema, usernameSchema } from '../common/schemas';
import { UsersService, type UserView } from './users.service';

const createUserBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  roles: z.array(z.string().min(1).max(64)).max(32).default([]),
});
const setPasswordBody = z.strictObject({ password: passwordSchema });
const disableUserBody = z.strictObject({ reason: reasonSchema.optional() }).default({});

@Controller('api/v1/tenants/:tenant/users')
@UseGuards(AuthGuard)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AnyScope('authority:admin', 'authority:read')
  async list(@Param('tenant') tenant: string): Promise<{ items: UserView[] }> {
    return { items: await this.users.list(tenant) };
  }

  @Get(':userId')
  @AnyScope('authority:admin', 'authority:read')
  get(@Param('tenant') tenant: string, @Param('userId') userId: string): Promise<UserView> {
    return this.users.get(tenant, userId);
  }

  @Post()
  @Scopes('authority:admin')
  create(
    @Param('tenant') tenant: string,
    @Body(new ZodValidationPipe(createUserBody)) body: z.infer<typeof createUserBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.create(tenant, body, actorOf(principal));
  }

  @Put(':userId/password')
  @Scopes('authority:admin')
  setPassword(
    @Param('tenant') tenant: string,
    @Param('userId') userId: string,
    @Body(new ZodValidationPipe(setPasswordBody)) body: z.infer<typeof setPasswordBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.setPassword(tenant, userId, body.password, actorOf(principal));
  }

  @Post(':userId/disable')
  @HttpCode(200)
  @Scopes('authority:admin')
  disable(
    @Param('tenant') tenant: string,
    @Param('userId') userId: string,
    @Body(new ZodValidationPipe(disableUserBody)) body: z.infer<typeof disableUserBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.disable(tenant, userId, body.reason, actorOf(principal));
  }

  @Post(':userId/enable')
  @HttpCode(200)
  @Scopes('authority:admin')
  enable(
    @Param('tenant') tenant: string,
    @Param('userId') userId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.enable(tenant, userId, actorOf(principal));
  }

  @Put(':userId/roles/:role')
  @Scopes('authority:admin')
  grantRole(
    @Param('tenant') tenant: string,
    @Param('userId') userId: string,
    @Param('role') role: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.grantRole(tenant, userId, role, actorOf(principal));
  }

  @Delete(':userId/roles/:role')
  @Scopes('authority:admin')
  revokeRole(
    @Param('tenant') tenant: string,
    @Param('userId') userId: string,
    @Param('role') role: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.revokeRole(tenant, userId, role, actorOf(principal));
  }
}

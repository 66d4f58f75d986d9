import { Body, Controller, Get, Headers, Param, Patch, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import type { Response } from 'express';
import { actorOf } from '../common/actor';
import { Scope } from '../common/scopes';
import { tenantIdOf } from '../common/tenancy';
import { OrchestratorErrorsInterceptor, respond } from '../http/http-errors';
import { optional, pageLimit } from '../http/http-params';
import { idempotencyRequest } from '../persistence/unit-of-work';
import { rollbackEnvironmentCommand } from '../promotions/usecases/rollback-environment/rollback-environment.command';
import { RollbackEnvironmentUseCase } from '../promotions/usecases/rollback-environment/rollback-environment.usecase';
import { OrchestratorQueries } from '../queries/orchestrator-queries';
import { createEnvironmentCommand } from './usecases/create-environment/create-environment.command';
import { CreateEnvironmentUseCase } from './usecases/create-environment/create-environment.usecase';
import { setPromotionPathCommand } from './usecases/set-promotion-path/set-promotion-path.command';
import { SetPromotionPathUseCase } from './usecases/set-promotion-path/set-promotion-path.usecase';
import { updateEnvironmentCommand } from './usecases/update-environment/update-environment.command';
import { UpdateEnvironmentUseCase } from './usecases/update-environment/update-environment.usecase';

@Controller('api/v1')
@UseGuards(AuthGuard)
@UseInterceptors(OrchestratorErrorsInterceptor)
export class EnvironmentsController {
  constructor(
    private readonly queries: OrchestratorQueries,
    private readonly create: CreateEnvironmentUseCase,
    private readonly update: UpdateEnvironmentUseCase,
    private readonly setPath: SetPromotionPathUseCase,
    private readonly rollback: RollbackEnvironmentUseCase,
  ) {}

  @Get('environments')
  @Scopes(Scope.read)
  list(@CurrentPrincipal() principal: Principal) {
    return this.queries.environmentsWithPath(tenantIdOf(principal.tenant));
  }

  @Post('environments')
  @Scopes(Scope.admin)
  async createEnvironment(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = createEnvironmentCommand(body);
    const result = await this.create.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'environment.create', command)),
    });
    return respond(res, result, 201);
  }

  @Get('environments/:name')
  @Scopes(Scope.read)
  get(@Param('name') name: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.environment(tenantIdOf(principal.tenant), name);
  }

  @Patch('environments/:name')
  @Scopes(Scope.admin)
  patch(@Param('name') name: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.update.execute(tenantIdOf(principal.tenant), actorOf(principal), updateEnvironmentCommand(name, body));
  }

  @Get('environments/:name/history')
  @Scopes(Scope.read)
  history(
    @Param('name') name: string,
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.queries.history(tenantIdOf(principal.tenant), name, { ...pageLimit(limit), ...(cursor ? { cursor } : {}) });
  }

  @Post('environments/:name/rollback')
  @Scopes(Scope.promote)
  async rollbackEnvironment(
    @Param('name') name: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = rollbackEnvironmentCommand(name, body);
    const result = await this.rollback.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'environment.rollback', command)),
    });
    return respond(res, result, 201);
  }

  @Get('promotion-path')
  @Scopes(Scope.read)
  path(@CurrentPrincipal() principal: Principal) {
    return this.queries.path(tenantIdOf(principal.tenant));
  }

  @Put('promotion-path')
  @Scopes(Scope.admin)
  putPath(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.setPath.execute(tenantIdOf(principal.tenant), actorOf(principal), setPromotionPathCommand(body));
  }
}

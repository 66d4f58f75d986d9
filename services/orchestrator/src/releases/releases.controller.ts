import { Body, Controller, Get, Headers, Param, Post, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import type { Response } from 'express';
import { actorOf } from '../common/actor';
import { parseCommand } from '../common/command';
import { releaseName, semverVersion, sha256Digest } from '../common/schemas';
import { Scope } from '../common/scopes';
import { tenantIdOf } from '../common/tenancy';
import { createComponentCommand } from '../components/usecases/create-component/create-component.command';
import { CreateComponentUseCase } from '../components/usecases/create-component/create-component.usecase';
import { OrchestratorErrorsInterceptor, respond } from '../http/http-errors';
import { optional, pageLimit } from '../http/http-params';
import { idempotencyRequest } from '../persistence/unit-of-work';
import { OrchestratorQueries } from '../queries/orchestrator-queries';
import { createReleaseCommand } from './usecases/create-release/create-release.command';
import { CreateReleaseUseCase } from './usecases/create-release/create-release.usecase';

@Controller('api/v1')
@UseGuards(AuthGuard)
@UseInterceptors(OrchestratorErrorsInterceptor)
export class ReleasesController {
  constructor(
    private readonly queries: OrchestratorQueries,
    private readonly createRelease: CreateReleaseUseCase,
    private readonly createComponent: CreateComponentUseCase,
  ) {}

  @Get('components')
  @Scopes(Scope.read)
  components(@CurrentPrincipal() principal: Principal) {
    return this.queries.componentList(tenantIdOf(principal.tenant));
  }

  @Post('components')
  @Scopes(Scope.write)
  async postComponent(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = createComponentCommand(body);
    const result = await this.createComponent.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'component.create', command)),
    });
    return respond(res, result, 201);
  }

  @Post('releases')
  @Scopes(Scope.write)
  async postRelease(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = createReleaseCommand(body);
    const result = await this.createRelease.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'release.create', command)),
    });
    return respond(res, result, 201);
  }

  @Get('releases')
  @Scopes(Scope.read)
  list(
    @Query('name') name: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.queries.releaseList(tenantIdOf(principal.tenant), {
      ...optional('name', name === undefined ? undefined : parseCommand(releaseName, name, 'name filter')),
      ...pageLimit(limit),
      ...optional('cursor', cursor),
    });
  }

  /** By identity: `GET /api/v1/releases/sha256:<hex>`. */
  @Get('releases/:id')
  @Scopes(Scope.read)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.release(tenantIdOf(principal.tenant), { id: parseCommand(sha256Digest, id, 'release id') });
  }

  @Get('releases/:name/versions/:version')
  @Scopes(Scope.read)
  getVersion(@Param('name') name: string, @Param('version') version: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.release(tenantIdOf(principal.tenant), {
      name: parseCommand(releaseName, name, 'release name'),
      version: parseCommand(semverVersion, version, 'version'),
    });
  }
}

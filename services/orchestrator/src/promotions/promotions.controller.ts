import { Body, Controller, Get, Headers, Param, Post, Query, Res, Sse, UseGuards, UseInterceptors, type MessageEvent } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import type { Response } from 'express';
import { Observable } from 'rxjs';
import { actorOf } from '../common/actor';
import { Scope } from '../common/scopes';
import { tenantIdOf } from '../common/tenancy';
import { OrchestratorErrorsInterceptor, respond } from '../http/http-errors';
import { optional, pageLimit } from '../http/http-params';
import { idempotencyRequest } from '../persistence/unit-of-work';
import { OrchestratorQueries } from '../queries/orchestrator-queries';
import { PromotionWatchHub } from './promotion-watch';
import { approvePromotionCommand } from './usecases/approve-promotion/approve-promotion.command';
import { ApprovePromotionUseCase } from './usecases/approve-promotion/approve-promotion.usecase';
import { cancelPromotionCommand } from './usecases/cancel-promotion/cancel-promotion.command';
import { CancelPromotionUseCase } from './usecases/cancel-promotion/cancel-promotion.usecase';
import { rejectPromotionCommand } from './usecases/reject-promotion/reject-promotion.command';
import { RejectPromotionUseCase } from './usecases/reject-promotion/reject-promotion.usecase';
import { reportDeploymentCommand } from './usecases/report-deployment/report-deployment.command';
import { ReportDeploymentUseCase } from './usecases/report-deployment/report-deployment.usecase';
import { requestPromotionCommand } from './usecases/request-promotion/request-promotion.command';
import { RequestPromotionUseCase } from './usecases/request-promotion/request-promotion.usecase';

@Controller('api/v1')
@UseGuards(AuthGuard)
@UseInterceptors(OrchestratorErrorsInterceptor)
export class PromotionsController {
  constructor(
    private readonly queries: OrchestratorQueries,
    private readonly requestPromotion: RequestPromotionUseCase,
    private readonly approvePromotion: ApprovePromotionUseCase,
    private readonly rejectPromotion: RejectPromotionUseCase,
    private readonly cancelPromotion: CancelPromotionUseCase,
    private readonly reportDeployment: ReportDeploymentUseCase,
    private readonly watchHub: PromotionWatchHub,
  ) {}

  @Post('promotions')
  @Scopes(Scope.promote)
  async request(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = requestPromotionCommand(body);
    const result = await this.requestPromotion.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'promotion.request', command)),
    });
    return respond(res, result, 201);
  }

  @Get('promotions')
  @Scopes(Scope.read)
  list(
    @Query('environment') environment: string | undefined,
    @Query('state') state: string | undefined,
    @Query('release') release: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.queries.promotionList(tenantIdOf(principal.tenant), {
      ...optional('environment', environment),
      ...optional('state', state),
      ...optional('release', release),
      ...pageLimit(limit),
      ...optional('cursor', cursor),
    });
  }

  @Get('promotions/:id')
  @Scopes(Scope.read)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.promotion(tenantIdOf(principal.tenant), id);
  }

  /**
   * Server-sent events: every transition after `?afterSeq=` (default 0), then each new one; the
   * stream ends after a final state. `curl -N -H 'Authorization: Bearer …' …/transitions/stream`.
   */
  @Sse('promotions/:id/transitions/stream')
  @Scopes(Scope.read)
  async stream(@Param('id') id: string, @Query('afterSeq') afterSeq: string | undefined, @CurrentPrincipal() principal: Principal) {
    const tenant = tenantIdOf(principal.tenant);
    await this.queries.promotion(tenant, id);
    const from = afterSeq === undefined ? 0 : Math.max(0, Math.trunc(Number(afterSeq)) || 0);
    return new Observable<MessageEvent>((subscriber) => {
      const abort = new AbortController();
      void (async () => {
        try {
          for await (const transition of this.watchHub.watch(tenant, id, from, abort.signal)) {
            subscriber.next({ id: String(transition.seq), type: 'transition', data: transition });
          }
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => abort.abort();
    });
  }

  @Post('promotions/:id/approvals')
  @Scopes(Scope.approve)
  async approve(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = approvePromotionCommand(id, body);
    const result = await this.approvePromotion.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'promotion.approve', command)),
    });
    return respond(res, result, 201);
  }

  @Post('promotions/:id/rejection')
  @Scopes(Scope.approve)
  async reject(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = rejectPromotionCommand(id, body);
    const result = await this.rejectPromotion.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'promotion.reject', command)),
    });
    return respond(res, result, 200);
  }

  @Post('promotions/:id/cancellation')
  @Scopes(Scope.promote)
  async cancel(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = cancelPromotionCommand(id, body);
    const result = await this.cancelPromotion.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'promotion.cancel', command)),
    });
    return respond(res, result, 200);
  }

  @Post('promotions/:id/deployment')
  @Scopes(Scope.deploy)
  async deployment(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = reportDeploymentCommand(id, body);
    const result = await this.reportDeployment.execute(tenantIdOf(principal.tenant), actorOf(principal), command, {
      ...optional('idempotency', idempotencyRequest(key, 'promotion.deployment', command)),
    });
    return respond(res, result, 200);
  }

  @Get('decisions/:id')
  @Scopes(Scope.read)
  decision(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.decision(tenantIdOf(principal.tenant), id);
  }

  @Get('inventory')
  @Scopes(Scope.read)
  inventory(@Query('at') at: string | undefined, @CurrentPrincipal() principal: Principal) {
    return this.queries.inventoryAt(tenantIdOf(principal.tenant), at);
  }

  @Get('inventory/digests/:digest')
  @Scopes(Scope.read)
  whereRuns(@Param('digest') digest: string, @Query('at') at: string | undefined, @CurrentPrincipal() principal: Principal) {
    return this.queries.whereDigestRuns(tenantIdOf(principal.tenant), digest, at);
  }
}

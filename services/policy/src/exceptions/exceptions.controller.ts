import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, Scopes, TenantId, type Principal } from '@stella/auth';
import { ProblemError, ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { actorId } from '../common/actor';
import { checkParam, ENVIRONMENT, UUID } from '../common/errors';
import { POLICY_CLOCK, type Clock } from '../common/ports';
import { EXCEPTION_APPROVE, EXCEPTION_REQUEST, POLICY_READ } from '../common/scopes';
import { exceptionView } from './exception.model';
import { ExceptionsRepository } from './exceptions.repository';
import { ExceptionsService } from './exceptions.service';

const requestSchema = z.strictObject({
  /** Vulnerability id or alias (CVE-…, GHSA-…). */
  vulnerability: z.string().regex(/^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/),
  /** A purl (with or without version) or a component name. */
  component: z.string().min(1).max(2000),
  environment: z.string().regex(ENVIRONMENT),
  reason: z.string().trim().min(1).max(4000),
  /** Mandatory: an exception always ends (at most STELLA_POLICY_EXCEPTION_MAX_DAYS away). */
  expiresAt: z.iso.datetime({ offset: true }),
});
const revokeSchema = z.strictObject({ reason: z.string().trim().min(1).max(4000) });
const listSchema = z.strictObject({
  environment: z.string().regex(ENVIRONMENT).optional(),
  status: z.enum(['requested', 'approved', 'revoked']).optional(),
});

/** Exceptions (waivers): request, approve by someone else, revoke, list. */
@Controller('api/v1/exceptions')
export class ExceptionsController {
  constructor(
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    private readonly service: ExceptionsService,
    private readonly repository: ExceptionsRepository,
  ) {}

  @Post()
  @Scopes(EXCEPTION_REQUEST)
  @HttpCode(201)
  async request(
    @TenantId() tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(requestSchema)) body: z.infer<typeof requestSchema>,
  ) {
    const record = await this.service.request({
      tenantId,
      actor: actorId(principal),
      vulnerability: body.vulnerability,
      component: body.component,
      environment: body.environment,
      reason: body.reason,
      expiresAt: new Date(body.expiresAt),
    });
    return exceptionView(record, this.clock.now());
  }

  @Get()
  @Scopes(POLICY_READ)
  async list(
    @TenantId() tenantId: string,
    @Query(new ZodValidationPipe(listSchema)) query: z.infer<typeof listSchema>,
  ) {
    const now = this.clock.now();
    return {
      exceptions: (
        await this.repository.list(tenantId, {
          ...(query.environment ? { environment: query.environment } : {}),
          ...(query.status ? { status: query.status } : {}),
        })
      ).map((e) => exceptionView(e, now)),
    };
  }

  @Get(':id')
  @Scopes(POLICY_READ)
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    const record = await this.repository.find(this.repository.manager, tenantId, checkParam(id, UUID, 'id'));
    if (!record)
      throw new ProblemError(404, { type: 'exception-not-found', title: 'Exception not found', detail: id });
    return exceptionView(record, this.clock.now());
  }

  /** 403 `separation-of-duties` when the approver requested it. */
  @Post(':id/approve')
  @Scopes(EXCEPTION_APPROVE)
  @HttpCode(200)
  async approve(@TenantId() tenantId: string, @CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const record = await this.service.approve(tenantId, checkParam(id, UUID, 'id'), actorId(principal));
    return exceptionView(record, this.clock.now());
  }

  @Post(':id/revoke')
  @Scopes(EXCEPTION_APPROVE)
  @HttpCode(200)
  async revoke(
    @TenantId() tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(revokeSchema)) body: z.infer<typeof revokeSchema>,
  ) {
    const record = await this.service.revoke(tenantId, checkParam(id, UUID, 'id'), actorId(principal), body.reason);
    return exceptionView(record, this.clock.now());
  }
}

import { Controller, Get, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { Scope } from '../common/scopes';
import { tenantIdOf } from '../common/tenancy';
import { OrchestratorErrorsInterceptor } from '../http/http-errors';
import { pageLimit } from '../http/http-params';
import { OrchestratorQueries } from '../queries/orchestrator-queries';

@Controller('api/v1/audit')
@UseGuards(AuthGuard)
@UseInterceptors(OrchestratorErrorsInterceptor)
export class AuditController {
  constructor(private readonly queries: OrchestratorQueries) {}

  @Get()
  @Scopes(Scope.audit)
  entries(@Query('afterSeq') afterSeq: string | undefined, @Query('limit') limit: string | undefined, @CurrentPrincipal() principal: Principal) {
    return this.queries.auditEntries(tenantIdOf(principal.tenant), {
      ...(afterSeq === undefined ? {} : { afterSeq: Number(afterSeq) }),
      ...pageLimit(limit),
    });
  }

  /** Recomputes the tenant's whole chain; `firstBroken` names the first entry that does not verify. */
  @Get('verify')
  @Scopes(Scope.audit)
  verify(@CurrentPrincipal() principal: Principal) {
    return this.queries.verifyAudit(tenantIdOf(principal.tenant));
  }
}

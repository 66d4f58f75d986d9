import { Controller, Get, UseGuards } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, type Principal } from '@stella/auth';

export interface WhoAmI {
  subject: string;
  kind: 'client' | 'user';
  tenant: string;
  clientId: string;
  scopes: string[];
  roles?: string[];
  tokenId: string;
  expiresAt: string;
}

@Controller('api/v1/whoami')
@UseGuards(AuthGuard)
export class WhoAmIController {
  /** Any valid token: says whom the authority takes the caller for. */
  @Get()
  whoami(@CurrentPrincipal() principal: Principal): WhoAmI {
    return {
      subject: principal.subject,
      kind: principal.kind,
      tenant: principal.tenant,
      clientId: principal.clientId,
      scopes: [...principal.scopes].sort(),
      ...(principal.roles === undefined ? {} : { roles: [...principal.roles] }),
      tokenId: principal.tokenId,
      expiresAt: principal.expiresAt.toISOString(),
    };
  }
}

import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { AuthError } from '../errors';
import type { Principal } from '../principal';
import { ANY_OF_SCOPES_METADATA, PUBLIC_ROUTE_METADATA, REQUIRED_SCOPES_METADATA } from './auth.constants';
import { principalOf } from './request-principal';

/** Every listed scope is required; on a class and a method, the scopes of both are required. */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES_METADATA, scopes);

/** At least one of the listed scopes is required (e.g. admin or read-only access). Innermost wins. */
export const AnyScope = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ANY_OF_SCOPES_METADATA, scopes);

/** The route needs no access token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE_METADATA, true);

function requirePrincipal(ctx: ExecutionContext): Principal {
  const principal = principalOf(ctx.switchToHttp().getRequest<object>());
  // Only reachable when a handler reads the principal on a @Public() route or without the guard.
  if (!principal) throw new AuthError('TOKEN_MISSING', 'route is not guarded by AuthGuard');
  return principal;
}

/** The verified Principal of the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal =>
  requirePrincipal(ctx),
);

/** The tenant the request acts for: the token's tenant (a `:tenant` route param was checked to match). */
export const TenantId = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string => requirePrincipal(ctx).tenant,
);

import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemError } from '@stella/platform';
import { requireAnyScope, requireScopes, requireTenant } from '../authorization';
import { AuthError, authErrorStatus } from '../errors';
import type { TokenVerifier } from '../token-verifier';
import {
  ANY_OF_SCOPES_METADATA,
  AUTH_REALM,
  PUBLIC_ROUTE_METADATA,
  REQUIRED_SCOPES_METADATA,
  TOKEN_VERIFIER,
} from './auth.constants';
import { attachPrincipal } from './request-principal';

/** The parts of an HTTP request the guard reads (express and fastify requests both fit). */
interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, unknown>;
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Authenticates HTTP requests with a Bearer access token (RFC 6750), then authorises them:
 * required @Scopes() (all of them), @AnyScope() (one of them), and a `:tenant` route parameter equal to the token's tenant.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Message and RPC handlers carry no bearer tokens; their transports authenticate the peer.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_METADATA, targets) === true) return true;

    const request = context.switchToHttp().getRequest<HttpRequestLike>();
    try {
      const principal = await this.verifier.verify(bearerToken(request.headers['authorization']));
      const tenantParam = request.params?.tenant;
      if (typeof tenantParam === 'string') requireTenant(principal, tenantParam);
      const scopes = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES_METADATA, targets) ?? [];
      requireScopes(principal, scopes);
      const anyOf = this.reflector.getAllAndOverride<string[]>(ANY_OF_SCOPES_METADATA, targets) ?? [];
      requireAnyScope(principal, anyOf);
      attachPrincipal(request, principal);
      return true;
    } catch (error) {
      if (error instanceof AuthError) throw toProblem(error);
      throw error;
    }
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string')
    throw new AuthError('TOKEN_MALFORMED', 'more than one Authorization header');
  const match = BEARER.exec(header.trim());
  if (!match) throw new AuthError('TOKEN_MALFORMED', 'Authorization header is not "Bearer <token>"');
  return match[1];
}

/** problem+json plus the RFC 6750 §3 challenge, so OAuth clients know to fetch a new token. */
export function toProblem(error: AuthError): ProblemError {
  const status = authErrorStatus(error.code);
  let challenge: string | undefined;
  if (error.code === 'TOKEN_MISSING') {
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
    challenge = `Bearer realm="${AUTH_REALM}"`;
  } else if (status === 401) {
    challenge = `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${error.message.replace(/["\\]/g, '')}"`;
  } else if (error.code === 'INSUFFICIENT_SCOPE') {
    challenge = `Bearer realm="${AUTH_REALM}", error="insufficient_scope", scope="${error.missingScopes.join(' ')}"`;
  }
  const problem = PROBLEMS[error.code];
  return new ProblemError(
    status,
    {
      type: problem.slug,
      title: problem.title,
      detail: error.message,
      code: error.code,
      ...(error.code === 'INSUFFICIENT_SCOPE' ? { missingScopes: error.missingScopes } : {}),
    },
    { cause: error, headers: challenge === undefined ? {} : { 'WWW-Authenticate': challenge } },
  );
}

const PROBLEMS: Record<AuthError['code'], { slug: string; title: string }> = {
  TOKEN_MISSING: { slug: 'token-missing', title: 'Access token required' },
  TOKEN_MALFORMED: { slug: 'invalid-token', title: 'Invalid access token' },
  TOKEN_EXPIRED: { slug: 'invalid-token', title: 'Invalid access token' },
  TOKEN_NOT_YET_VALID: { slug: 'invalid-token', title: 'Invalid access token' },
  BAD_SIGNATURE: { slug: 'invalid-token', title: 'Invalid access token' },
  UNKNOWN_KID: { slug: 'invalid-token', title: 'Invalid access token' },
  ALG_NOT_ALLOWED: { slug: 'invalid-token', title: 'Invalid access token' },
  WRONG_AUDIENCE: { slug: 'invalid-token', title: 'Invalid access token' },
  WRONG_ISSUER: { slug: 'invalid-token', title: 'Invalid access token' },
  WRONG_TENANT: { slug: 'wrong-tenant', title: 'Access token belongs to another tenant' },
  INSUFFICIENT_SCOPE: { slug: 'insufficient-scope', title: 'Insufficient scope' },
  KEYS_UNAVAILABLE: { slug: 'auth-unavailable', title: 'Token verification keys unavailable' },
};

import { AuthError } from './errors';
import type { Principal } from './principal';

/** Refuses unless the principal holds every one of the required scopes. */
export function requireScopes(principal: Principal, required: readonly string[]): void {
  const missing = required.filter((scope) => !principal.scopes.has(scope));
  if (missing.length > 0) {
    throw new AuthError('INSUFFICIENT_SCOPE', `missing scope(s): ${missing.join(' ')}`, {
      missingScopes: missing,
    });
  }
}

/** Refuses unless the principal belongs to the tenant named by the request. */
export function requireTenant(principal: Principal, tenant: string): void {
  if (principal.tenant !== tenant) {
    throw new AuthError('WRONG_TENANT', 'access token belongs to another tenant');
  }
}

/** Refuses unless the principal holds at least one of the scopes (no-op for an empty list). */
export function requireAnyScope(principal: Principal, anyOf: readonly string[]): void {
  if (anyOf.length === 0 || anyOf.some((scope) => principal.scopes.has(scope))) return;
  throw new AuthError('INSUFFICIENT_SCOPE', `requires one of: ${anyOf.join(' ')}`, { missingScopes: anyOf });
}

import { TENANT_SCOPES } from './scope-catalogue';

/**
 * Built-in roles and the scopes they grant to users. Roles are defined in code, not per tenant,
 * so a role name means the same thing everywhere and changing one is a reviewed code change.
 * Role names are append only.
 */
const readScopes = TENANT_SCOPES.filter((scope) => scope.endsWith(':read'));

export const ROLE_SCOPES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  /** Everything in the tenant, including its clients, users and roles. */
  'tenant-admin': [...TENANT_SCOPES],
  /** Ships software: releases, deployments, promotions; reads the rest. */
  'release-manager': [
    ...new Set([
      ...readScopes,
      'release:write',
      'release:promote',
      'release:approve',
      'deploy:write',
      'attest:write',
      'sign:write',
      'exception:request',
    ]),
  ],
  /** Owns policy and VEX statements. */
  'security-officer': [
    ...new Set([
      ...readScopes,
      'release:approve',
      'policy:write',
      'vex:write',
      'vex:admin',
      'scan:write',
      'advisory:import',
      'exception:request',
      'exception:approve',
    ]),
  ],
  /** Read-only access to everything in the tenant. */
  viewer: readScopes,
  /** Operator of the whole installation: every scope, including tenants and signing keys. Bootstrap tenant only. */
  'platform-admin': [],
});

export const PLATFORM_ADMIN_ROLE = 'platform-admin';

export function isKnownRole(role: string): boolean {
  return Object.prototype.hasOwnProperty.call(ROLE_SCOPES, role);
}

/** Scopes granted by a set of roles; platform-admin expands to the full catalogue. */
export function scopesOfRoles(roles: readonly string[], allScopes: readonly string[]): Set<string> {
  const scopes = new Set<string>();
  for (const role of roles) {
    const granted = role === PLATFORM_ADMIN_ROLE ? allScopes : (ROLE_SCOPES[role] ?? []);
    for (const scope of granted) scopes.add(scope);
  }
  return scopes;
}

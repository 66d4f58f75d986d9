/**
 * Scopes the authority can grant. Names are part of the API of every service that checks them:
 * append only, never rename (a renamed scope silently locks out every client holding the old one).
 */
export const PLATFORM_SCOPES = [
  /** Create tenants (platform operators only). */
  'authority:tenants',
  /** Rotate and list token signing keys (platform operators only). */
  'authority:keys',
] as const;

export const TENANT_SCOPES = [
  'authority:admin',
  'authority:read',
  'release:read',
  'release:write',
  'release:promote',
  'deploy:read',
  'deploy:write',
  'policy:read',
  'policy:write',
  'scan:read',
  'scan:write',
  'attest:read',
  'attest:write',
  'sign:write',
  'evidence:read',
  'export:read',
  'advisory:read',
  'vex:read',
  'vex:write',
  'notify:read',
  'notify:write',
  // Scopes the services check beyond the first catalogue (appended, never renamed).
  'release:approve',
  'release:break-glass',
  'release:admin',
  'audit:read',
  'signer:sign',
  'signer:admin',
  'advisory:import',
  // The policy service: the orchestrator's gate evaluates; waivers are requested and approved apart.
  'policy:evaluate',
  'exception:request',
  'exception:approve',
  // The export service: audit packs are built on request (evidence:read reads packets and packs).
  'evidence:export',
  // Excititor: manage the trusted VEX issuer registry at runtime.
  'vex:admin',
] as const;

export class ScopeCatalogue {
  readonly all: readonly string[];
  private readonly known: ReadonlySet<string>;

  constructor(extraScopes: readonly string[]) {
    this.all = [...new Set<string>([...PLATFORM_SCOPES, ...TENANT_SCOPES, ...extraScopes])].sort();
    this.known = new Set(this.all);
  }

  unknown(scopes: readonly string[]): string[] {
    return scopes.filter((scope) => !this.known.has(scope));
  }

  /** Scopes a tenant's clients and users may hold: platform scopes only in the operator's tenant. */
  grantableIn(tenantId: string, bootstrapTenant: string): readonly string[] {
    if (tenantId === bootstrapTenant) return this.all;
    const platform = new Set<string>(PLATFORM_SCOPES);
    return this.all.filter((scope) => !platform.has(scope));
  }
}

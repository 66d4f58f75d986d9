/**
 * A tenant id that came from a verified access token or an authenticated intake secret. Every
 * repository method takes one first, so a query without a tenant does not compile.
 */
export type TenantId = string & { readonly __brand: 'TenantId' };

export function tenantIdOf(verifiedTenant: string): TenantId {
  return verifiedTenant as TenantId;
}

import { PLATFORM_ADMIN_ROLE, ROLE_SCOPES, scopesOfRoles } from './role-catalogue';
import { PLATFORM_SCOPES, ScopeCatalogue } from './scope-catalogue';

describe('roles and scopes', () => {
  const catalogue = new ScopeCatalogue(['custom:scope']);

  it('grants platform scopes only in the bootstrap tenant', () => {
    expect(catalogue.grantableIn('default', 'default')).toEqual(
      expect.arrayContaining([...PLATFORM_SCOPES, 'custom:scope']),
    );
    const tenant = catalogue.grantableIn('acme', 'default');
    for (const scope of PLATFORM_SCOPES) expect(tenant).not.toContain(scope);
    expect(tenant).toContain('authority:admin');
    expect(catalogue.unknown(['release:read', 'nope:x'])).toEqual(['nope:x']);
  });

  it('maps roles to known scopes, platform-admin to all of them', () => {
    for (const scopes of Object.values(ROLE_SCOPES)) expect(catalogue.unknown([...scopes])).toEqual([]);
    expect([...scopesOfRoles([PLATFORM_ADMIN_ROLE], catalogue.all)].sort()).toEqual([...catalogue.all]);
    const viewer = scopesOfRoles(['viewer'], catalogue.all);
    expect([...viewer].every((scope) => scope.endsWith(':read'))).toBe(true);
    expect(scopesOfRoles(['viewer', 'release-manager'], catalogue.all).has('release:promote')).toBe(true);
    expect(scopesOfRoles(['unknown-role'], catalogue.all).size).toBe(0);
  });
});

import { requireScopes, requireTenant } from './authorization';
import { AuthError } from './errors';
import type { Principal } from './principal';

const principal: Principal = {
  subject: 'ci',
  clientId: 'ci',
  tenant: 'acme',
  scopes: new Set(['release:read', 'release:write']),
  tokenId: 't',
  expiresAt: new Date(0),
  kind: 'client',
};

describe('authorization', () => {
  it('passes when every required scope is held', () => {
    expect(() => requireScopes(principal, ['release:read', 'release:write'])).not.toThrow();
    expect(() => requireScopes(principal, [])).not.toThrow();
  });

  it('names the missing scopes', () => {
    try {
      requireScopes(principal, ['release:read', 'authority:admin', 'policy:write']);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('INSUFFICIENT_SCOPE');
      expect((error as AuthError).missingScopes).toEqual(['authority:admin', 'policy:write']);
    }
  });

  it('refuses another tenant', () => {
    expect(() => requireTenant(principal, 'acme')).not.toThrow();
    expect(() => requireTenant(principal, 'globex')).toThrow(
      expect.objectContaining({ code: 'WRONG_TENANT' }),
    );
  });
});

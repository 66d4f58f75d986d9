import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createLocalTokenVerifier, type TokenVerifier } from '@stella/auth';

export const TEST_TOKEN_ISSUER = 'http://authority.test';
export const TEST_TOKEN_AUDIENCE = 'stella';

export interface TestTokenClaims {
  scope?: string;
  tenant?: string;
  clientId?: string;
  /** Expiry in epoch seconds; default ten minutes from now. */
  exp?: number;
}

export interface TestTokenIssuer {
  /** Trusts only this issuer's key: give it to the service under test. */
  verifier: TokenVerifier;
  mint(claims?: TestTokenClaims): Promise<string>;
}

/**
 * Access tokens exactly as the authority issues them (RFC 9068 `at+jwt`, EdDSA, kid), signed
 * with an Ed25519 key only the test knows, and a local verifier trusting that key: services
 * are tested with real tokens without running an authority.
 */
export function createTestTokenIssuer(
  defaults: { scope: string; tenant?: string; clientId?: string; issuer?: string } = { scope: '' },
): TestTokenIssuer {
  const issuer = defaults.issuer ?? TEST_TOKEN_ISSUER;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'EdDSA', use: 'sig' };
  return {
    verifier: createLocalTokenVerifier({ issuer, audience: TEST_TOKEN_AUDIENCE, getKeys: () => [jwk] }),
    mint(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const clientId = claims.clientId ?? defaults.clientId ?? 'ci-pipeline';
      return new SignJWT({
        iss: issuer,
        aud: TEST_TOKEN_AUDIENCE,
        sub: clientId,
        client_id: clientId,
        tenant: claims.tenant ?? defaults.tenant ?? 'acme',
        scope: claims.scope ?? defaults.scope,
        jti: randomUUID(),
        iat: now - 5,
        exp: claims.exp ?? now + 600,
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key', typ: 'at+jwt' })
        .sign(privateKey);
    },
  };
}

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { Clock } from './principal';

/** Test-only helpers: real key pairs and tokens signed with them. */
export interface TestSigningKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function generateTestKey(kid: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): TestSigningKey {
  const { privateKey, publicKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

export const ISSUER = 'https://authority.test';
export const AUDIENCE = 'stella';
export const NOW_MS = Date.UTC(2030, 0, 1, 12, 0, 0);
export const NOW_SEC = NOW_MS / 1000;

export class FakeClock implements Clock {
  constructor(public ms: number = NOW_MS) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TokenSpec {
  key: TestSigningKey;
  claims?: JWTPayload & Record<string, unknown>;
  header?: Record<string, unknown>;
  omit?: string[];
}

/** A well-formed access token; override or omit claims to craft each refusal. */
export async function signAccessToken(spec: TokenSpec): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'ci-pipeline',
    client_id: 'ci-pipeline',
    tenant: 'acme',
    scope: 'release:read release:write',
    jti: 'tok-1',
    iat: NOW_SEC - 10,
    nbf: NOW_SEC - 10,
    exp: NOW_SEC + 600,
    ...spec.claims,
  };
  for (const name of spec.omit ?? []) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: spec.key.alg, kid: spec.key.kid, typ: 'at+jwt', ...spec.header })
    .sign(spec.key.privateKey);
}

export function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

import { createPublicKey, type JsonWebKey as NodeJsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** The only signature algorithms the fleet accepts; anything else (none, HS*, RS*) is refused. */
export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SigningAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export function isAllowedAlgorithm(alg: unknown): alg is SigningAlgorithm {
  return alg === 'EdDSA' || alg === 'ES256';
}

/** A public JWK as published by the authority's JWKS endpoint. */
export const publicJwkSchema = z.union([
  z.object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().min(1),
    kid: z.string().min(1),
    alg: z.literal('EdDSA').optional(),
    use: z.literal('sig').optional(),
  }),
  z.object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string().min(1),
    y: z.string().min(1),
    kid: z.string().min(1),
    alg: z.literal('ES256').optional(),
    use: z.literal('sig').optional(),
  }),
]);
export type PublicJwk = z.infer<typeof publicJwkSchema>;

export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: KeyObject;
  /** Identity of the key material, to notice a kid being reused for a different key. */
  readonly fingerprint: string;
}

function fingerprintOf(jwk: PublicJwk): string {
  return jwk.kty === 'OKP' ? `OKP.${jwk.x}` : `EC.${jwk.x}.${jwk.y}`;
}

function importParsed(value: PublicJwk): VerificationKey | undefined {
  const alg: SigningAlgorithm = value.kty === 'OKP' ? 'EdDSA' : 'ES256';
  const material: NodeJsonWebKey =
    value.kty === 'OKP'
      ? { kty: 'OKP', crv: 'Ed25519', x: value.x }
      : { kty: 'EC', crv: 'P-256', x: value.x, y: value.y };
  try {
    const key = createPublicKey({ key: material, format: 'jwk' });
    return { kid: value.kid, alg, key, fingerprint: fingerprintOf(value) };
  } catch {
    return undefined;
  }
}

/**
 * Imports a public JWK. Returns undefined for keys this fleet cannot use (other key types or
 * curves, encryption keys, invalid points) so that one odd entry in a JWKS does not poison the rest.
 */
export function importVerificationKey(jwk: unknown): VerificationKey | undefined {
  const parsed = publicJwkSchema.safeParse(jwk);
  return parsed.success ? importParsed(parsed.data) : undefined;
}

/** Where a verifier finds the public key for a token's `kid`. */
export interface VerificationKeyResolver {
  /** The key for kid, fetching or reloading if the implementation allows; undefined when unknown. */
  resolve(kid: string): Promise<VerificationKey | undefined>;
  /**
   * Whether kid is still a current key, checked on every verified-token cache hit. Remote sets
   * answer from memory; in-process sources may re-read their (cached) key list.
   */
  isKnown(kid: string): boolean | Promise<boolean>;
}

/** Keeps already-imported keys across reloads so a reload costs no crypto work for unchanged keys. */
export class ImportedKeySet {
  private keys = new Map<string, VerificationKey>();

  /** Replaces the set; returns true when a previously known kid disappeared or changed material. */
  replace(jwks: readonly unknown[]): boolean {
    const next = new Map<string, VerificationKey>();
    for (const jwk of jwks) {
      const parsed = publicJwkSchema.safeParse(jwk);
      if (!parsed.success) continue;
      const existing = this.keys.get(parsed.data.kid);
      const key =
        existing && existing.fingerprint === fingerprintOf(parsed.data)
          ? existing
          : importParsed(parsed.data);
      if (key) next.set(key.kid, key);
    }
    let lostOrChanged = false;
    for (const [kid, key] of this.keys) {
      if (next.get(kid) !== key) lostOrChanged = true;
    }
    this.keys = next;
    return lostOrChanged;
  }

  get(kid: string): VerificationKey | undefined {
    return this.keys.get(kid);
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  get size(): number {
    return this.keys.size;
  }
}

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { issuerSchema, type IssuerConfig } from '../config/excititor-config';

/** An issuer id as a path parameter: the same pattern as configured ids. */
export const issuerIdSchema = issuerSchema.shape.id;

const SUPPORTED_CURVES = new Set(['prime256v1', 'secp384r1']);

/**
 * Parses one PEM public key with node:crypto; the reason it is refused, or the key.
 * Private keys are refused even though a public key could be derived from them: a registry of
 * trust must never hold signing material.
 */
export function parsePublicKeyPem(pem: string): { key: KeyObject } | { error: string } {
  if (/PRIVATE KEY/.test(pem)) return { error: 'is a private key: register the public key only' };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    return { error: `is not a PEM public key (${(error as Error).message})` };
  }
  const type = key.asymmetricKeyType;
  if (type === 'ed25519' || type === 'rsa') {
    if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      return { error: 'is an RSA key shorter than 2048 bits' };
    return { key };
  }
  if (type === 'ec' && SUPPORTED_CURVES.has(String(key.asymmetricKeyDetails?.namedCurve))) return { key };
  return {
    error: `is a ${type}${type === 'ec' ? ` ${String(key.asymmetricKeyDetails?.namedCurve)}` : ''} key: only Ed25519, ECDSA P-256/P-384 and RSA keys verify VEX`,
  };
}

/** sha256 of the key's DER SubjectPublicKeyInfo: how events and the API name a key without its PEM. */
export function keyFingerprint(pem: string): string {
  const der = createPublicKey({ key: pem, format: 'pem' }).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

/**
 * Body of `PUT /api/v1/issuers/:id`: an issuer as in the configuration (`id` optional and, when
 * given, equal to the path's). Every PEM key must parse as a supported public key; key ids unique.
 */
export const issuerInputSchema = issuerSchema
  .extend({ id: issuerIdSchema.optional() })
  .superRefine((issuer, ctx) => {
    const seen = new Set<string>();
    issuer.publicKeys.forEach((k, index) => {
      const parsed = parsePublicKeyPem(k.publicKeyPem);
      if ('error' in parsed)
        ctx.addIssue({
          code: 'custom',
          path: ['publicKeys', index, 'publicKeyPem'],
          message: `publicKeys[${index}] ${parsed.error}`,
        });
      if (k.keyId !== undefined) {
        if (seen.has(k.keyId))
          ctx.addIssue({
            code: 'custom',
            path: ['publicKeys', index, 'keyId'],
            message: `keyId ${k.keyId} is listed twice`,
          });
        seen.add(k.keyId);
      }
    });
    const authors = issuer.authors.map((a) => a.toLowerCase());
    if (new Set(authors).size !== authors.length)
      ctx.addIssue({
        code: 'custom',
        path: ['authors'],
        message: 'authors must be unique (case-insensitive)',
      });
  });
export type IssuerInput = z.infer<typeof issuerInputSchema>;

/** The stored issuer for a validated input: keys normalised to their canonical SPKI PEM. */
export function toIssuer(id: string, input: IssuerInput): IssuerConfig {
  return {
    id,
    trust: input.trust,
    authors: [...input.authors],
    publicKeys: input.publicKeys.map((k) => ({
      ...(k.keyId !== undefined ? { keyId: k.keyId } : {}),
      publicKeyPem: String(
        createPublicKey({ key: k.publicKeyPem, format: 'pem' }).export({ type: 'spki', format: 'pem' }),
      ),
    })),
    requireSignature: input.requireSignature,
  };
}

import { createHash } from 'node:crypto';
import { canonicalBytes } from './canonical-json';

/** A content digest in OCI form: `sha256:<64 lowercase hex>`. */
export type Sha256Digest = `sha256:${string}`;

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256:<hex>` of raw bytes (strings are hashed as UTF-8). */
export function sha256Digest(data: string | Uint8Array): Sha256Digest {
  return `sha256:${sha256Hex(data)}`;
}

/** Digest of the RFC 8785 canonical form of a JSON value. */
export function digestOf(value: unknown): Sha256Digest {
  return sha256Digest(canonicalBytes(value));
}

export function isSha256Digest(value: unknown): value is Sha256Digest {
  return typeof value === 'string' && SHA256_DIGEST.test(value);
}

export function parseSha256Digest(value: string): { algorithm: 'sha256'; hex: string } {
  if (!isSha256Digest(value)) {
    throw new TypeError(
      `not a sha256 digest (expected sha256:<64 lowercase hex>): ${JSON.stringify(value).slice(0, 100)}`,
    );
  }
  return { algorithm: 'sha256', hex: value.slice('sha256:'.length) };
}

/**
 * Content-derived identifier for an immutable record: `<kind>_<first 32 hex of the digest>`
 * of its canonical JSON. 128 bits is collision-safe for record ids while staying readable;
 * callers that need the full digest keep `digestOf(value)` beside it.
 */
export function contentId(kind: string, value: unknown): string {
  if (!/^[a-z][a-z0-9]{0,15}$/.test(kind)) throw new TypeError(`invalid id kind: ${kind}`);
  return `${kind}_${digestOf(value).slice('sha256:'.length, 'sha256:'.length + 32)}`;
}

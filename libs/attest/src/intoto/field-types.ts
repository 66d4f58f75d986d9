import { z } from 'zod';

/**
 * in-toto TypeURI / ResourceURI: an absolute URI whose scheme and authority are lowercase
 * (RFC 3986 6.2.2.1 case normalization, required by the spec's field types).
 */
export function isNormalizedUri(value: string): boolean {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/([^/?#]*))?/.exec(value);
  if (!match || /\s/.test(value)) return false;
  const scheme = match[1]!;
  const authority = match[3];
  return (
    scheme === scheme.toLowerCase() && (authority === undefined || authority === authority.toLowerCase())
  );
}

export const TypeUriSchema = z
  .string()
  .min(1)
  .max(2048)
  .refine(isNormalizedUri, 'must be an absolute URI with lowercase scheme and authority');

/** ResourceURI: same normalization rule; purls (`pkg:`) and `git+https:` URIs qualify. */
export const ResourceUriSchema = TypeUriSchema;

/** in-toto Timestamp: RFC 3339 in UTC ("Z"), any fractional precision. */
export const UtcTimestampSchema = z.iso.datetime({ offset: false });

/** RFC 3339 with any offset (OpenVEX allows "-06:00"). */
export const Rfc3339TimestampSchema = z.iso.datetime({ offset: true });

/**
 * DigestSet algorithms the spec defines as lowercase hex, with their digest lengths in hex
 * characters where fixed. Values under these keys are validated; other keys (dirHash, gitCommit,
 * non-cryptographic ids such as "arn") are accepted as non-empty strings.
 */
const HEX_DIGEST_LENGTHS: Record<string, number | readonly number[]> = {
  sha256: 64,
  sha224: 56,
  sha384: 96,
  sha512: 128,
  sha512_224: 56,
  sha512_256: 64,
  sha3_224: 56,
  sha3_256: 64,
  sha3_384: 96,
  sha3_512: 128,
  sha1: 40,
  md5: 32,
  ripemd160: 40,
  sm3: 64,
  gitCommit: [40, 64],
  gitTree: [40, 64],
  gitBlob: [40, 64],
  gitTag: [40, 64],
  dirHash: 64,
};

export const DigestSetSchema = z
  .record(z.string().min(1).max(64), z.string().min(1).max(1024))
  .check((ctx) => {
    const entries = Object.entries(ctx.value);
    if (entries.length === 0) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'digest set must have at least one entry',
      });
    }
    for (const [algorithm, value] of entries) {
      const lengths = HEX_DIGEST_LENGTHS[algorithm];
      if (lengths === undefined) continue;
      const allowed = typeof lengths === 'number' ? [lengths] : lengths;
      if (!/^[0-9a-f]+$/.test(value) || !allowed.includes(value.length)) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          path: [algorithm],
          message: `${algorithm} must be ${allowed.join(' or ')} lowercase hex characters`,
        });
      }
    }
  });

export type DigestSet = z.infer<typeof DigestSetSchema>;

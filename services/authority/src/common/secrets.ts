import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const CLIENT_SECRET_PREFIX = 'stcs_';

/**
 * A new client secret: 256 random bits, base64url, with a prefix that secret scanners can match.
 * Shown once to the caller and never stored.
 */
export function generateClientSecret(): string {
  return CLIENT_SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Client secrets are 256-bit random values, not human passwords: nobody can guess or brute-force
 * them, so a fast hash is enough and a slow KDF would only cap token issuance throughput.
 */
export function hashClientSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function clientSecretMatches(presented: string, storedSha256: Buffer): boolean {
  const presentedHash = hashClientSecret(presented);
  return presentedHash.length === storedSha256.length && timingSafeEqual(presentedHash, storedSha256);
}

/** A random password for the bootstrap admin user: 24 random bytes, base64url. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Opaque id with a readable type prefix, e.g. `usr_…`, `cli_…`. */
export function generateId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

import { PackageURL } from 'packageurl-js';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The key statements are grouped by: a purl in canonical form (qualifiers sorted), an image
 * digest as is, or null when the identifier is neither (the caller scopes it to its document).
 */
export function canonicalProductKey(identifier: string): string | null {
  const value = identifier.trim();
  if (DIGEST.test(value)) return value;
  if (!value.startsWith('pkg:')) return null;
  try {
    return PackageURL.fromString(value).toString();
  } catch {
    return null;
  }
}

/**
 * Keys a product is looked up by: itself and, for a versioned purl, the purl without version and
 * qualifiers (VEX often speaks of a product as a whole: `pkg:golang/github.com/rancher/rke2`).
 */
export function lookupKeys(productKey: string): string[] {
  const keys = [productKey];
  if (productKey.startsWith('pkg:')) {
    try {
      const purl = PackageURL.fromString(productKey);
      if (purl.version || purl.qualifiers) {
        const bare = new PackageURL(
          purl.type,
          purl.namespace,
          purl.name,
          undefined,
          undefined,
          undefined,
        ).toString();
        if (bare !== productKey) keys.push(bare);
      }
    } catch {
      // not a purl after all: the key alone
    }
  }
  return keys;
}

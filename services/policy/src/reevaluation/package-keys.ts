import { componentPackage, isMatchingError } from '@stella/matching';

/** purl type (and namespace) per OSV ecosystem, for questions to the scanner's component index. */
const PURL_TYPES: Record<string, { type: string; namespace?: string }> = {
  npm: { type: 'npm' },
  pypi: { type: 'pypi' },
  go: { type: 'golang' },
  maven: { type: 'maven' },
  'crates.io': { type: 'cargo' },
  rubygems: { type: 'gem' },
  nuget: { type: 'nuget' },
  packagist: { type: 'composer' },
  pub: { type: 'pub' },
  hex: { type: 'hex' },
  swifturl: { type: 'swift' },
  debian: { type: 'deb', namespace: 'debian' },
  ubuntu: { type: 'deb', namespace: 'ubuntu' },
  alpine: { type: 'apk', namespace: 'alpine' },
};

/**
 * The versionless purl the scanner's index is asked about for an advisory package key
 * (`npm|lodash` -> `pkg:npm/lodash`, `maven|g:a` -> `pkg:maven/g/a`, `debian:12|openssl` ->
 * `pkg:deb/debian/openssl`). Null for ecosystems without a purl type.
 */
export function purlForPackageKey(packageKey: string): string | null {
  const bar = packageKey.indexOf('|');
  if (bar <= 0) return null;
  const ecosystem = packageKey.slice(0, bar).split(':')[0]!.toLowerCase();
  const name = packageKey.slice(bar + 1);
  const target = PURL_TYPES[ecosystem];
  if (!target || name.length === 0) return null;
  const enc = (part: string) => encodeURIComponent(part).replace(/%40/g, '@');
  if (target.type === 'maven') {
    const colon = name.indexOf(':');
    if (colon <= 0) return null;
    return `pkg:maven/${enc(name.slice(0, colon))}/${enc(name.slice(colon + 1))}`;
  }
  if (target.namespace) return `pkg:${target.type}/${target.namespace}/${enc(name)}`;
  if ((target.type === 'npm' || target.type === 'golang' || target.type === 'composer') && name.includes('/')) {
    const slash = name.lastIndexOf('/');
    return `pkg:${target.type}/${name.slice(0, slash).split('/').map(enc).join('/')}/${enc(name.slice(slash + 1))}`;
  }
  return `pkg:${target.type}/${enc(name)}`;
}

/** The advisory package keys a component purl is looked up by (its own and, for distro binaries, its source's). */
export function packageKeysOfPurl(purl: string): string[] {
  try {
    return componentPackage(purl).keys.map((k) => k.key);
  } catch (error) {
    if (isMatchingError(error)) return [];
    throw error;
  }
}

/** The versionless form of a purl (what the component index is keyed by). */
export function versionlessPurl(purl: string): string {
  const base = purl.split('#')[0]!.split('?')[0]!;
  const at = base.lastIndexOf('@');
  const slash = base.lastIndexOf('/');
  return at > slash ? base.slice(0, at) : base;
}

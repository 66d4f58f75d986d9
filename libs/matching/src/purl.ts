import { PackageURL } from 'packageurl-js';
import { ecosystemForPurlType, isVersioningError, resolveEcosystem, type SchemeId } from '@stella/versioning';
import { MatchingError } from './errors';
import { DEBIAN_RELEASES } from './sources/debian-tracker';

/** Schemes whose advisories are per distribution release (`Debian:12`): the release is part of the key. */
const DISTRO_SCHEMES: ReadonlySet<SchemeId> = new Set(['debian', 'alpine', 'rpm']);

export interface PackageKey {
  /** `<ecosystem lower-case>[:<release>]|<normalised name>`: what the index is keyed by. */
  readonly key: string;
  /** OSV ecosystem, release included for distributions (`Debian:12`). */
  readonly ecosystem: string;
  readonly name: string;
}

/**
 * The name an ecosystem compares by: PyPI per PEP 503 (case and `-_.` runs folded), Go module
 * paths as written (they are case-sensitive), everything else case-folded.
 */
export function normalisePackageName(baseEcosystem: string, name: string): string {
  if (baseEcosystem === 'Go') return name;
  if (baseEcosystem === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  return name.toLowerCase();
}

/** Index key of an advisory's affected package (`Debian:12` + `openssl`). Throws UNKNOWN_ECOSYSTEM. */
export function advisoryPackageKey(ecosystem: string, name: string): PackageKey {
  let resolved;
  try {
    resolved = resolveEcosystem(ecosystem);
  } catch (error) {
    if (isVersioningError(error)) throw new MatchingError('UNKNOWN_ECOSYSTEM', error.message, { ecosystem });
    throw error;
  }
  const release = DISTRO_SCHEMES.has(resolved.scheme) && resolved.release ? resolved.release : null;
  const full = release ? `${resolved.ecosystem}:${release}` : resolved.ecosystem;
  return {
    key: `${full.toLowerCase()}|${normalisePackageName(resolved.ecosystem, name)}`,
    ecosystem: full,
    name,
  };
}

/** `debian-12`, `debian-12.4`, `bookworm`, `12` -> `12`; `alpine-3.18.4` -> `v3.18`; `ubuntu-22.04` -> `22.04`. */
export function releaseFromDistro(ecosystem: string, distro: string): string | null {
  const value = distro.toLowerCase().trim();
  if (ecosystem === 'Debian') {
    const named = DEBIAN_RELEASES[value.replace(/^debian-/, '')];
    if (named) return named;
    const match = /^(?:debian-)?(\d+)(?:\.(\d+))?/.exec(value);
    if (!match) return null;
    const major = Number(match[1]);
    return major <= 6 ? `${major}.${match[2] ?? '0'}` : String(major);
  }
  if (ecosystem === 'Alpine') {
    const match = /^(?:alpine-)?v?(\d+)\.(\d+)/.exec(value);
    return match ? `v${match[1]}.${match[2]}` : null;
  }
  if (ecosystem === 'Ubuntu') {
    const match = /^(?:ubuntu-)?(\d+\.\d+)/.exec(value);
    return match ? match[1]! : null;
  }
  return value.replace(/^[a-z]+-/, '') || null;
}

export interface ComponentPackage {
  readonly purl: string;
  readonly version: string;
  /** Keys to look up: the package itself and, for distro binaries, its source package. */
  readonly keys: readonly PackageKey[];
  /** Version to evaluate per key (a source package may carry its own version). */
  readonly versions: readonly string[];
}

function parsePurl(purl: string): PackageURL {
  if (typeof purl !== 'string' || purl.length > 4096)
    throw new MatchingError('INVALID_PURL', 'purl: expected a string of at most 4096 characters');
  try {
    return PackageURL.fromString(purl);
  } catch (error) {
    throw new MatchingError(
      'INVALID_PURL',
      `purl ${JSON.stringify(purl.slice(0, 200))}: ${(error as Error).message}`,
      { purl },
    );
  }
}

/**
 * The OSV ecosystem (release included for distributions) and package name a purl names, version
 * or not: `pkg:maven/org.apache.logging.log4j/log4j-core` -> Maven, `org.apache.logging.log4j:log4j-core`.
 * Throws INVALID_PURL / UNKNOWN_ECOSYSTEM.
 */
export function purlPackage(purl: string): {
  ecosystem: string;
  name: string;
  scheme: SchemeId;
  parsed: PackageURL;
} {
  const parsed = parsePurl(purl);
  let base: string;
  try {
    base = ecosystemForPurlType(parsed.type, parsed.namespace ?? undefined);
  } catch (error) {
    if (isVersioningError(error))
      throw new MatchingError('UNKNOWN_ECOSYSTEM', error.message, { purl, purlType: parsed.type });
    throw error;
  }
  const ns = parsed.namespace ?? '';
  const name =
    parsed.type === 'maven'
      ? `${ns}:${parsed.name}`
      : (parsed.type === 'npm' || parsed.type === 'golang') && ns
        ? `${ns}/${parsed.name}`
        : parsed.name;
  const scheme = resolveEcosystem(base).scheme;
  let ecosystem = base;
  if (DISTRO_SCHEMES.has(scheme)) {
    const distro = parsed.qualifiers?.distro;
    const release = distro ? releaseFromDistro(base, distro) : null;
    if (!release)
      throw new MatchingError(
        'UNKNOWN_ECOSYSTEM',
        `purl ${purl.slice(0, 200)}: a ${base} package needs a distro qualifier naming its release (e.g. distro=debian-12)`,
        { purl },
      );
    ecosystem = `${base}:${release}`;
  }
  return { ecosystem, name, scheme, parsed };
}

/** Parses a purl into the keys a component is looked up by. Throws INVALID_PURL / UNKNOWN_ECOSYSTEM. */
export function componentPackage(purl: string): ComponentPackage {
  const { ecosystem, name, scheme, parsed } = purlPackage(purl);
  if (!parsed.version)
    throw new MatchingError('INVALID_PURL', `purl ${purl.slice(0, 200)} has no version`, { purl });
  const keys: PackageKey[] = [advisoryPackageKey(ecosystem, name)];
  const versions: string[] = [parsed.version];
  // Distro advisories name source packages; syft writes the source as `upstream=<name>[@<version>]`.
  const upstream = parsed.qualifiers?.upstream ?? parsed.qualifiers?.source;
  if (DISTRO_SCHEMES.has(scheme) && upstream) {
    const at = upstream.indexOf('@');
    const sourceName = at > 0 ? upstream.slice(0, at) : upstream.split(' ')[0]!;
    const sourceKey = advisoryPackageKey(ecosystem, sourceName);
    if (sourceKey.key !== keys[0]!.key) {
      keys.push(sourceKey);
      versions.push(at > 0 ? upstream.slice(at + 1) : parsed.version);
    }
  }
  return { purl, version: parsed.version, keys, versions };
}

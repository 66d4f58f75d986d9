import { VersioningError } from './errors';
import { checkEcosystemInput, checkPurlTypeInput } from './input';
import { alpineScheme } from './schemes/alpine';
import { debianScheme } from './schemes/debian';
import { goScheme } from './schemes/go';
import { mavenScheme } from './schemes/maven';
import { nugetScheme } from './schemes/nuget';
import { pypiScheme } from './schemes/pypi';
import { rpmScheme } from './schemes/rpm';
import { rubygemsScheme } from './schemes/rubygems';
import type { SchemeId, VersionScheme } from './schemes/scheme';
import { npmScheme, semverScheme } from './schemes/semver';

/**
 * OSV ecosystem names (spelled as the OSV schema spells them) and the ordering each one uses.
 * Besides those the brief names, this includes the distributions OSV documents as using the same
 * package manager's ordering: Ubuntu (dpkg), SUSE/openSUSE/Mageia/openEuler/Photon OS (rpm),
 * Wolfi/Chainguard (apk).
 */
export const ECOSYSTEM_SCHEMES = {
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  Go: 'go',
  Debian: 'debian',
  Ubuntu: 'debian',
  Alpine: 'alpine',
  Wolfi: 'alpine',
  Chainguard: 'alpine',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  'Photon OS': 'rpm',
  RubyGems: 'rubygems',
  NuGet: 'nuget',
  'crates.io': 'semver',
} as const satisfies Record<string, SchemeId>;

export type OsvEcosystem = keyof typeof ECOSYSTEM_SCHEMES;

export const SUPPORTED_ECOSYSTEMS = Object.keys(ECOSYSTEM_SCHEMES) as readonly OsvEcosystem[];

const BY_LOWER_CASE = new Map<string, OsvEcosystem>(SUPPORTED_ECOSYSTEMS.map((e) => [e.toLowerCase(), e]));

const SCHEMES: Readonly<Record<SchemeId, VersionScheme<unknown>>> = {
  semver: semverScheme as VersionScheme<unknown>,
  npm: npmScheme as VersionScheme<unknown>,
  pypi: pypiScheme as VersionScheme<unknown>,
  maven: mavenScheme as VersionScheme<unknown>,
  go: goScheme as VersionScheme<unknown>,
  debian: debianScheme as VersionScheme<unknown>,
  alpine: alpineScheme as VersionScheme<unknown>,
  rpm: rpmScheme as VersionScheme<unknown>,
  rubygems: rubygemsScheme as VersionScheme<unknown>,
  nuget: nugetScheme as VersionScheme<unknown>,
};

export function schemeById(id: SchemeId): VersionScheme<unknown> {
  return SCHEMES[id];
}

export interface ResolvedEcosystem {
  /** Canonical OSV spelling of the base ecosystem (`Debian` for `Debian:12`). */
  readonly ecosystem: OsvEcosystem;
  /** What followed the first ':' (`12`, `v3.18`, `rhel_aus:8.4::appstream`), or null. */
  readonly release: string | null;
  readonly scheme: SchemeId;
}

/**
 * Accepts OSV ecosystem strings with their optional `:<release>` suffix. The base name is matched
 * case-insensitively (`pypi` and `PyPI` both work) and reported in OSV's spelling.
 */
export function resolveEcosystem(ecosystem: string): ResolvedEcosystem {
  const cached = typeof ecosystem === 'string' ? resolved.get(ecosystem) : undefined;
  if (cached) return cached;
  const result = resolveUncached(ecosystem);
  // Callers pass a handful of distinct strings over and over; the bound keeps hostile input from growing it.
  if (resolved.size < MAX_CACHED_ECOSYSTEMS) resolved.set(ecosystem, result);
  return result;
}

const MAX_CACHED_ECOSYSTEMS = 512;
const resolved = new Map<string, ResolvedEcosystem>();

function resolveUncached(ecosystem: string): ResolvedEcosystem {
  const text = checkEcosystemInput(ecosystem);
  const colon = text.indexOf(':');
  const base = (colon >= 0 ? text.slice(0, colon) : text).trim();
  const canonical = BY_LOWER_CASE.get(base.toLowerCase());
  if (!canonical) {
    throw new VersioningError('UNKNOWN_ECOSYSTEM', `no version ordering for ecosystem "${base}"`, {
      ecosystem: text,
      supported: SUPPORTED_ECOSYSTEMS,
    });
  }
  return Object.freeze({
    ecosystem: canonical,
    release: colon >= 0 ? text.slice(colon + 1) : null,
    scheme: ECOSYSTEM_SCHEMES[canonical],
  });
}

// purl types (package-url spec) to OSV ecosystems; deb, rpm and apk consult the namespace (the distro).
const PURL_TYPES: Readonly<Record<string, OsvEcosystem>> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  deb: 'Debian',
  apk: 'Alpine',
  rpm: 'Red Hat',
  gem: 'RubyGems',
  nuget: 'NuGet',
  cargo: 'crates.io',
};

const PURL_NAMESPACES: Readonly<Record<string, Readonly<Record<string, OsvEcosystem>>>> = {
  deb: { debian: 'Debian', ubuntu: 'Ubuntu' },
  apk: { alpine: 'Alpine', wolfi: 'Wolfi', chainguard: 'Chainguard' },
  rpm: {
    redhat: 'Red Hat',
    rhel: 'Red Hat',
    rocky: 'Rocky Linux',
    'rocky-linux': 'Rocky Linux',
    almalinux: 'AlmaLinux',
    suse: 'SUSE',
    opensuse: 'openSUSE',
    mageia: 'Mageia',
    openeuler: 'openEuler',
    photon: 'Photon OS',
  },
};

/**
 * The OSV ecosystem for a purl type. For deb/apk/rpm an optional purl namespace picks the
 * distribution (`ubuntu` -> Ubuntu); any namespace orders the same way as the type's default.
 */
export function ecosystemForPurlType(type: string, namespace?: string): OsvEcosystem {
  const t = checkPurlTypeInput(type).toLowerCase();
  const base = PURL_TYPES[t];
  if (!base) {
    throw new VersioningError('UNKNOWN_PURL_TYPE', `no ecosystem for purl type "${type}"`, {
      purlType: type,
      supported: Object.keys(PURL_TYPES),
    });
  }
  if (namespace === undefined) return base;
  const ns = checkPurlTypeInput(namespace).toLowerCase();
  return PURL_NAMESPACES[t]?.[ns] ?? base;
}

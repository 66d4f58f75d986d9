import { Range, SemVer, parse as semverParse } from 'semver';
import { VersioningError } from '../errors';
import type { Ordering } from '../ordering';
import type { ParsedVersion, SatisfiesOptions, SchemeId, VersionScheme } from './scheme';

/** Shared by the strict SemVer 2.0 scheme (OSV SEMVER ranges, crates.io) and npm (loose parsing). */
// node-semver accepts a leading "v" or "=" and surrounding blanks even in strict mode; SemVer 2.0 does not.
const STRICT_SEMVER_START = /^[0-9]/;

function parseWith(id: SchemeId, input: string, loose: boolean): ParsedVersion<SemVer> {
  if (!loose && (!STRICT_SEMVER_START.test(input) || input.trim() !== input)) {
    throw new VersioningError('INVALID_VERSION', `not a valid ${id} version: "${input}"`, { scheme: id, input });
  }
  let parsed: SemVer | null = null;
  try {
    parsed = semverParse(input, { loose });
  } catch (cause) {
    // semver throws (rather than returning null) for numbers above Number.MAX_SAFE_INTEGER.
    throw new VersioningError('INVALID_VERSION', `not a valid ${id} version: "${input}"`, { scheme: id, input }, { cause });
  }
  if (!parsed) {
    throw new VersioningError('INVALID_VERSION', `not a valid ${id} version: "${input}"`, { scheme: id, input });
  }
  const build = parsed.build.length > 0 ? `+${parsed.build.join('.')}` : '';
  return {
    scheme: id,
    input,
    normalized: parsed.version + build,
    prerelease: parsed.prerelease.length > 0,
    value: parsed,
  };
}

// SemVer#compare directly: semver.compare() re-parses objects whose `loose` flag differs from its own.
function compareSemVer(a: SemVer, b: SemVer): Ordering {
  return a.compare(b);
}

// Ranges are always parsed strictly: node-semver's loose range grammar silently drops what it cannot
// read (">=1.0.0 <<2" becomes ">=1.0.0"), which would widen a range instead of refusing it.
function buildRange(id: SchemeId, range: string, translated: string, options: SatisfiesOptions): Range {
  try {
    return new Range(translated, { includePrerelease: options.includePrerelease === true });
  } catch (cause) {
    throw new VersioningError('INVALID_RANGE', `not a valid ${id} range: "${range}"`, { scheme: id, range }, { cause });
  }
}

/** npm: node-semver loose parsing (accepts `v1.2.3`, `=1.2.3`) and npm's range grammar. */
export const npmScheme: VersionScheme<SemVer> = {
  id: 'npm',
  parse: (input) => parseWith('npm', input, true),
  compare: compareSemVer,
  satisfies(version, range, options) {
    // Range#test directly: semver.satisfies(v, rangeObject) rebuilds the range and drops its options.
    return buildRange('npm', range, range, options).test(version.value);
  },
};

// Cargo's comparator: optional operator, then a full or partial version, `*`/`x` wildcards allowed.
const CARGO_COMPARATOR =
  /^(\^|~|=|>=|<=|>|<)?\s*((?:\*|[xX])|\d+(?:\.(?:\d+|\*|[xX])(?:\.(?:\d+|\*|[xX])(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?)$/;

/**
 * Translates a Cargo version requirement into node-semver syntax. The two agree on `^`, `~`,
 * wildcards, partial versions and pre-release handling; they differ in two places: a bare
 * version means `^version` in Cargo, and Cargo joins comparators with commas.
 */
export function cargoRequirementToNodeRange(requirement: string): string {
  const parts = requirement.split(',').map((p) => p.trim());
  return parts
    .map((part) => {
      const m = CARGO_COMPARATOR.exec(part);
      if (!m || m[2] === undefined) {
        throw new VersioningError('INVALID_RANGE', `not a valid Cargo comparator: "${part}"`, {
          scheme: 'semver',
          range: requirement,
        });
      }
      const operator = m[1] ?? '';
      const operand = m[2];
      const wildcard = /[*xX]/.test(operand);
      if (operator === '' && !wildcard) return `^${operand}`;
      return `${operator}${operand}`;
    })
    .join(' ');
}

/**
 * Strict SemVer 2.0 ordering: OSV `SEMVER` ranges and crates.io. Native ranges use Cargo's
 * requirement syntax (`^1.2`, `>=1.0, <2.0`).
 */
export const semverScheme: VersionScheme<SemVer> = {
  id: 'semver',
  parse: (input) => parseWith('semver', input, false),
  compare: compareSemVer,
  satisfies(version, range, options) {
    return buildRange('semver', range, cargoRequirementToNodeRange(range), options).test(version.value);
  },
};

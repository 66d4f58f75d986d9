import { resolveEcosystem, schemeById } from './ecosystems';
import { VersioningError } from './errors';
import { checkRangeInput, checkVersionInput } from './input';
import type { Ordering } from './ordering';
import type { ParsedVersion, SatisfiesOptions } from './schemes/scheme';

/**
 * Parses `version` in the ecosystem's syntax.
 * Throws VersioningError: INVALID_INPUT, UNKNOWN_ECOSYSTEM, INVALID_VERSION.
 */
export function parseVersion(ecosystem: string, version: string): ParsedVersion {
  const scheme = schemeById(resolveEcosystem(ecosystem).scheme);
  return scheme.parse(checkVersionInput(version));
}

/**
 * Orders two versions of one ecosystem: -1 (a < b), 0 (equivalent), 1 (a > b).
 * Equivalent is not identical: `1.0` and `1.0.0` are equivalent in PyPI and Maven.
 */
export function compareVersions(ecosystem: string, a: string, b: string): Ordering {
  const scheme = schemeById(resolveEcosystem(ecosystem).scheme);
  const pa = scheme.parse(checkVersionInput(a, 'a'));
  const pb = scheme.parse(checkVersionInput(b, 'b'));
  return scheme.compare(pa.value, pb.value);
}

/** Orders two results of parseVersion; they must come from the same scheme. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): Ordering {
  if (a.scheme !== b.scheme) {
    throw new VersioningError('SCHEME_MISMATCH', `cannot compare a ${a.scheme} version with a ${b.scheme} version`, {
      a: a.scheme,
      b: b.scheme,
    });
  }
  return schemeById(a.scheme).compare(a.value, b.value);
}

/**
 * Tests membership of `version` in a range written in the ecosystem's native syntax:
 * npm ranges, PEP 440 specifier sets, Maven and NuGet interval notation, Cargo requirements
 * (crates.io), Gem::Requirement, and `op version` comparator lists for Go, Debian (`<<`, `>>`),
 * Alpine (`~` fuzzy) and RPM. Throws INVALID_RANGE for a malformed range.
 */
export function satisfies(
  ecosystem: string,
  version: string,
  range: string,
  options: SatisfiesOptions = {},
): boolean {
  const scheme = schemeById(resolveEcosystem(ecosystem).scheme);
  const parsed = scheme.parse(checkVersionInput(version));
  return scheme.satisfies(parsed, checkRangeInput(range), options);
}

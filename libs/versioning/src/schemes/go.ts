import {
  RELATIONAL_TESTS,
  evaluateComparatorExpression,
  parseComparatorExpression,
} from '../comparator-expression';
import { VersioningError } from '../errors';
import { type Ordering, compareDigitStrings, compareStrings } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/** A Go module version as golang.org/x/mod/semver reads it. */
export interface GoVersion {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: readonly string[];
  readonly build: string;
  /** `+incompatible`: a v2+ module without a /vN path; it orders like the version without it. */
  readonly incompatible: boolean;
  /** Set for pseudo-versions (untagged commits): their time stamp and abbreviated commit. */
  readonly pseudo: { readonly timestamp: string; readonly revision: string } | null;
}

// x/mod/semver: "v1" and "v1.2" are shorthands for v1.0.0 / v1.2.0; pre-release and build need all three numbers.
const GO_VERSION =
  /^v?(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?)?)?$/;
const NUMERIC = /^[0-9]+$/;
// golang.org/x/mod/module's pseudo-version pattern: vX.0.0-yyyymmddhhmmss-abcdef123456,
// vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef123456 and vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef123456.
const PSEUDO_VERSION =
  /^v[0-9]+\.(?:0\.0-|\d+\.\d+-(?:[^+]*\.)?0\.)(\d{14})-([A-Za-z0-9]+)(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseGoVersion(input: string): GoVersion | null {
  const m = GO_VERSION.exec(input);
  if (!m || m[1] === undefined) return null;
  const prerelease = m[4] === undefined ? [] : m[4].split('.');
  if (prerelease.some((id) => NUMERIC.test(id) && id.length > 1 && id[0] === '0')) return null;
  const build = m[5] ?? '';
  const pseudoMatch = m[3] === undefined ? null : PSEUDO_VERSION.exec(input.startsWith('v') ? input : `v${input}`);
  return {
    major: m[1],
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease,
    build,
    incompatible: build === 'incompatible',
    pseudo:
      pseudoMatch && pseudoMatch[1] !== undefined && pseudoMatch[2] !== undefined
        ? { timestamp: pseudoMatch[1], revision: pseudoMatch[2] }
        : null,
  };
}

function comparePrerelease(a: readonly string[], b: readonly string[]): Ordering {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xNum = NUMERIC.test(x);
    const yNum = NUMERIC.test(y);
    if (xNum !== yNum) return xNum ? -1 : 1;
    return xNum ? compareDigitStrings(x, y) : compareStrings(x, y);
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareGoVersions(a: GoVersion, b: GoVersion): Ordering {
  return (
    compareDigitStrings(a.major, b.major) ||
    compareDigitStrings(a.minor, b.minor) ||
    compareDigitStrings(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

function formatGo(v: GoVersion): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
  const build = v.build ? `+${v.build}` : '';
  return `v${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

function parseOrThrow(input: string, errorCode: 'INVALID_VERSION' | 'INVALID_RANGE'): GoVersion {
  const v = parseGoVersion(input);
  if (!v) throw new VersioningError(errorCode, `not a valid Go module version: "${input}"`, { scheme: 'go', input });
  return v;
}

export const goScheme: VersionScheme<GoVersion> = {
  id: 'go',
  parse(input): ParsedVersion<GoVersion> {
    const value = parseOrThrow(input, 'INVALID_VERSION');
    return { scheme: 'go', input, normalized: formatGo(value), prerelease: value.prerelease.length > 0, value };
  },
  compare: compareGoVersions,
  satisfies(version, range) {
    const expression = parseComparatorExpression(range, Object.keys(RELATIONAL_TESTS), (text) =>
      parseOrThrow(text, 'INVALID_RANGE'),
    );
    return evaluateComparatorExpression(expression, (c) =>
      (RELATIONAL_TESTS[c.operator] as (o: Ordering) => boolean)(compareGoVersions(version.value, c.operand)),
    );
  },
};

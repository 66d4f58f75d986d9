import { evaluateComparatorExpression, parseComparatorExpression } from '../comparator-expression';
import { VersioningError } from '../errors';
import { type Ordering, compareDigitStrings, isAsciiLetterCode, isDigitCode } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/** An RPM EVR `[epoch:]version[-release]`. */
export interface RpmVersion {
  readonly epoch: string;
  readonly version: string;
  /** Null when the string carries no release (a dependency like `foo >= 1.2`). */
  readonly release: string | null;
}

// Characters rpmbuild accepts in Version and Release: alphanumerics and . _ + ~ ^ (no '-', it splits).
const EVR_PART = /^[A-Za-z0-9._+~^]+$/;

/** rpm's parseEVR(): digits before ':' are the epoch, the release follows the last '-'. */
export function parseRpmVersion(input: string): RpmVersion | null {
  const text = input.trim();
  let epoch = '0';
  let rest = text;
  const epochMatch = /^([0-9]*):/.exec(text);
  if (epochMatch) {
    epoch = epochMatch[1] || '0';
    rest = text.slice(epochMatch[0].length);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : null;
  if (!EVR_PART.test(version)) return null;
  if (release !== null && !EVR_PART.test(release)) return null;
  return { epoch, version, release };
}

const isAlnum = (c: number): boolean => isDigitCode(c) || isAsciiLetterCode(c);

/** rpmvercmp() from rpm 4.18 (rpmio/rpmvercmp.c): `~` sorts before anything, `^` after the base only. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charCodeAt(i)) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j)) && b[j] !== '~' && b[j] !== '^') j++;

    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // Caret: like tilde, but a version that ends here (the base) sorts lower.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;

    const numeric = isDigitCode(a.charCodeAt(i));
    const inSegment = numeric ? isDigitCode : isAsciiLetterCode;
    let ei = i;
    while (ei < a.length && inSegment(a.charCodeAt(ei))) ei++;
    let ej = j;
    while (ej < b.length && inSegment(b.charCodeAt(ej))) ej++;
    // Segments of different types: the numeric one is newer.
    if (ej === j) return numeric ? 1 : -1;
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    const o = numeric ? compareDigitStrings(sa, sb) : sa < sb ? -1 : sa > sb ? 1 : 0;
    if (o !== 0) return o;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/**
 * Total order for sorting and OSV, as rpm 4.18's rpm.vercmp(): a version without a release sorts
 * below the same version with any release (1.0 < 1.0-~1).
 */
export function compareRpmVersions(a: RpmVersion, b: RpmVersion): Ordering {
  return (
    compareDigitStrings(a.epoch, b.epoch) ||
    rpmvercmp(a.version, b.version) ||
    (a.release !== null && b.release !== null
      ? rpmvercmp(a.release, b.release)
      : a.release === b.release
        ? 0
        : a.release === null
          ? -1
          : 1)
  );
}

/** rpm's dependency comparison (rpmverCmp): a side without a release matches any release. */
export function compareRpmForDependency(candidate: RpmVersion, constraint: RpmVersion): Ordering {
  return (
    compareDigitStrings(candidate.epoch, constraint.epoch) ||
    rpmvercmp(candidate.version, constraint.version) ||
    (candidate.release !== null && constraint.release !== null ? rpmvercmp(candidate.release, constraint.release) : 0)
  );
}

const RPM_TESTS: Readonly<Record<string, (o: Ordering) => boolean>> = {
  '<': (o) => o < 0,
  '<=': (o) => o <= 0,
  '=': (o) => o === 0,
  '==': (o) => o === 0,
  '>=': (o) => o >= 0,
  '>': (o) => o > 0,
};

function parseOrThrow(input: string, errorCode: 'INVALID_VERSION' | 'INVALID_RANGE'): RpmVersion {
  const v = parseRpmVersion(input);
  if (!v) throw new VersioningError(errorCode, `not a valid RPM EVR: "${input}"`, { scheme: 'rpm', input });
  return v;
}

export const rpmScheme: VersionScheme<RpmVersion> = {
  id: 'rpm',
  parse(input): ParsedVersion<RpmVersion> {
    const value = parseOrThrow(input, 'INVALID_VERSION');
    const normalized = `${value.epoch !== '0' ? `${value.epoch}:` : ''}${value.version}${value.release !== null ? `-${value.release}` : ''}`;
    return { scheme: 'rpm', input, normalized, prerelease: value.version.includes('~'), value };
  },
  compare: compareRpmVersions,
  satisfies(version, range) {
    const expression = parseComparatorExpression(range, Object.keys(RPM_TESTS), (text) =>
      parseOrThrow(text, 'INVALID_RANGE'),
    );
    return evaluateComparatorExpression(expression, (c) =>
      (RPM_TESTS[c.operator] as (o: Ordering) => boolean)(compareRpmForDependency(version.value, c.operand)),
    );
  },
};

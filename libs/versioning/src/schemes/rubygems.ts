import { VersioningError } from '../errors';
import { type Ordering, compareDigitStrings, compareStrings, stripLeadingZeros } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/** Gem::Version: segments are digit runs (compared as numbers) and letter runs (compared as strings). */
export interface GemNumber {
  readonly n: string;
}
export interface GemString {
  readonly s: string;
}
export type GemSegment = GemNumber | GemString;

export interface GemVersion {
  /** All segments, e.g. 1.0.pre.beta -> [1, 0, "pre", "beta"]. */
  readonly segments: readonly GemSegment[];
  /** canonical_segments: trailing zeros dropped from the release part and from the pre-release part. */
  readonly canonical: readonly GemSegment[];
}

// Gem::Version::ANCHORED_VERSION_PATTERN; blank strings mean "0".
const GEM_VERSION = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

const isString = (seg: GemSegment): seg is GemString => 's' in seg;
const isZero = (seg: GemSegment): boolean => !isString(seg) && seg.n === '0';

function dropTrailingZeros(segments: GemSegment[]): GemSegment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1] as GemSegment)) end--;
  return segments.slice(0, end);
}

export function parseGemVersion(input: string): GemVersion | null {
  const m = GEM_VERSION.exec(input);
  if (!m) return null;
  // Gem::Version turns "-" into ".pre." so 1.0-beta is a pre-release of 1.0.
  const text = (m[1] ?? '0').replace(/-/g, '.pre.');
  const segments: GemSegment[] = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((part) =>
    /^[0-9]/.test(part) ? { n: stripLeadingZeros(part) } : { s: part },
  );
  const firstString = segments.findIndex(isString);
  const release = firstString < 0 ? segments : segments.slice(0, firstString);
  const pre = firstString < 0 ? [] : segments.slice(firstString);
  return { segments, canonical: [...dropTrailingZeros(release), ...dropTrailingZeros(pre)] };
}

const ZERO: GemSegment = { n: '0' };

export function compareGemVersions(a: GemVersion, b: GemVersion): Ordering {
  const n = Math.max(a.canonical.length, b.canonical.length);
  for (let i = 0; i < n; i++) {
    const l = a.canonical[i] ?? ZERO;
    const r = b.canonical[i] ?? ZERO;
    const ls = isString(l);
    const rs = isString(r);
    if (ls && rs) {
      const o = compareStrings(l.s, r.s);
      if (o !== 0) return o;
    } else if (ls !== rs) {
      return ls ? -1 : 1;
    } else {
      const o = compareDigitStrings((l as GemNumber).n, (r as GemNumber).n);
      if (o !== 0) return o;
    }
  }
  return 0;
}

const isPrerelease = (v: GemVersion): boolean => v.segments.some(isString);

const formatSegments = (segments: readonly GemSegment[]): string =>
  segments.map((seg) => (isString(seg) ? seg.s : seg.n)).join('.');

function fromNumbers(numbers: string[]): GemVersion {
  const parsed = parseGemVersion(numbers.join('.'));
  if (!parsed) throw new Error(`internal: cannot rebuild gem version from ${numbers.join('.')}`);
  return parsed;
}

// Gem::Version#release: the version without its pre-release segments.
function releaseOf(v: GemVersion): GemVersion {
  if (!isPrerelease(v)) return v;
  const segments = [...v.segments];
  while (segments.some(isString)) segments.pop();
  return fromNumbers(segments.map((seg) => (seg as GemNumber).n));
}

// Gem::Version#bump: drop pre-release segments, drop the last segment (unless it is the only one), increment.
function bump(v: GemVersion): GemVersion {
  const segments = [...v.segments];
  while (segments.some(isString)) segments.pop();
  if (segments.length > 1) segments.pop();
  const numbers = segments.map((seg) => (seg as GemNumber).n);
  const last = numbers.length - 1;
  numbers[last] = (BigInt(numbers[last] ?? '0') + 1n).toString();
  return fromNumbers(numbers);
}

const REQUIREMENT = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;
const TESTS: Readonly<Record<string, (v: GemVersion, r: GemVersion) => boolean>> = {
  '=': (v, r) => compareGemVersions(v, r) === 0,
  '!=': (v, r) => compareGemVersions(v, r) !== 0,
  '>': (v, r) => compareGemVersions(v, r) > 0,
  '<': (v, r) => compareGemVersions(v, r) < 0,
  '>=': (v, r) => compareGemVersions(v, r) >= 0,
  '<=': (v, r) => compareGemVersions(v, r) <= 0,
  '~>': (v, r) => compareGemVersions(v, r) >= 0 && compareGemVersions(releaseOf(v), bump(r)) < 0,
};

/** Gem::Requirement: comma-separated `op version` terms, all of which must hold; `=` when no operator. */
function requirementSatisfied(version: GemVersion, range: string): boolean {
  return range.split(',').every((term) => {
    const m = REQUIREMENT.exec(term);
    const operand = m?.[2] === undefined ? null : parseGemVersion(m[2]);
    if (!m || !operand) {
      throw new VersioningError('INVALID_RANGE', `not a valid gem requirement: "${term.trim()}"`, {
        scheme: 'rubygems',
        range,
      });
    }
    return (TESTS[m[1] ?? '='] as (v: GemVersion, r: GemVersion) => boolean)(version, operand);
  });
}

export const rubygemsScheme: VersionScheme<GemVersion> = {
  id: 'rubygems',
  parse(input): ParsedVersion<GemVersion> {
    const value = input.trim() === '' ? null : parseGemVersion(input);
    if (!value) {
      throw new VersioningError('INVALID_VERSION', `not a valid gem version: "${input}"`, { scheme: 'rubygems', input });
    }
    return {
      scheme: 'rubygems',
      input,
      normalized: formatSegments(value.segments),
      prerelease: isPrerelease(value),
      value,
    };
  },
  compare: compareGemVersions,
  satisfies: (version, range) => requirementSatisfied(version.value, range),
};

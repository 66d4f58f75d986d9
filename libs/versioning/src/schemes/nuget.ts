import { VersioningError } from '../errors';
import { type Interval, intervalContains, parseIntervals } from '../interval-range';
import { type Ordering, compareDigitStrings, stripLeadingZeros } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/** A NuGetVersion: SemVer 2.0 plus an optional fourth (revision) number and legacy leading zeros. */
export interface NuGetVersion {
  readonly numbers: readonly [string, string, string, string];
  readonly release: readonly string[];
  readonly metadata: string;
}

const NUGET_VERSION =
  /^\s*([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\s*$/;
const NUMERIC = /^[0-9]+$/;

export function parseNuGetVersion(input: string): NuGetVersion | null {
  const m = NUGET_VERSION.exec(input);
  if (!m || m[1] === undefined) return null;
  const n = (s: string | undefined): string => stripLeadingZeros(s ?? '0');
  return {
    numbers: [n(m[1]), n(m[2]), n(m[3]), n(m[4])],
    release: m[5] === undefined ? [] : m[5].split('.'),
    metadata: m[6] ?? '',
  };
}

// NuGet's VersionComparer: numeric labels by value and below alphanumeric ones, which compare ignoring case.
function compareLabels(a: readonly string[], b: readonly string[]): Ordering {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const xNum = NUMERIC.test(x);
    const yNum = NUMERIC.test(y);
    let o: Ordering;
    if (xNum && yNum) o = compareDigitStrings(x, y);
    else if (xNum !== yNum) o = xNum ? -1 : 1;
    else o = compareOrdinalIgnoreCase(x, y);
    if (o !== 0) return o;
  }
  return 0;
}

// .NET's OrdinalIgnoreCase upper-cases both sides and compares code units.
function compareOrdinalIgnoreCase(a: string, b: string): Ordering {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareNuGetVersions(a: NuGetVersion, b: NuGetVersion): Ordering {
  for (let i = 0; i < 4; i++) {
    const o = compareDigitStrings(a.numbers[i] as string, b.numbers[i] as string);
    if (o !== 0) return o;
  }
  return compareLabels(a.release, b.release);
}

function formatNuGet(v: NuGetVersion): string {
  const [major, minor, patch, revision] = v.numbers;
  const base = `${major}.${minor}.${patch}${revision !== '0' ? `.${revision}` : ''}`;
  return `${base}${v.release.length > 0 ? `-${v.release.join('.')}` : ''}${v.metadata ? `+${v.metadata}` : ''}`;
}

function parseRangeVersion(text: string, range: string): NuGetVersion {
  const v = parseNuGetVersion(text);
  if (!v) throw new VersioningError('INVALID_RANGE', `not a valid NuGet version in range: "${text}"`, { scheme: 'nuget', range });
  return v;
}

/** NuGet version ranges: a bare version means "this or higher"; floating ranges (1.*) are refused. */
export function parseNuGetRange(range: string): Interval<NuGetVersion> {
  const text = range.trim();
  if (text.includes('*')) {
    throw new VersioningError(
      'INVALID_RANGE',
      'floating NuGet ranges pick a version at restore time and do not define membership',
      { scheme: 'nuget', range },
    );
  }
  if (text[0] !== '[' && text[0] !== '(') {
    return { lower: { version: parseRangeVersion(text, range), inclusive: true }, upper: null };
  }
  const [interval] = parseIntervals(text, {
    parse: (t) => parseRangeVersion(t, range),
    compare: compareNuGetVersions,
    allowUnion: false,
  });
  return interval as Interval<NuGetVersion>;
}

export const nugetScheme: VersionScheme<NuGetVersion> = {
  id: 'nuget',
  parse(input): ParsedVersion<NuGetVersion> {
    const value = parseNuGetVersion(input);
    if (!value) {
      throw new VersioningError('INVALID_VERSION', `not a valid NuGet version: "${input}"`, { scheme: 'nuget', input });
    }
    return { scheme: 'nuget', input, normalized: formatNuGet(value), prerelease: value.release.length > 0, value };
  },
  compare: compareNuGetVersions,
  satisfies: (version, range) => intervalContains(parseNuGetRange(range), version.value, compareNuGetVersions),
};

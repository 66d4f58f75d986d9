import { VersioningError } from './errors';
import type { Ordering } from './ordering';

/**
 * Bracket interval notation shared by Maven and NuGet: `[1.0,2.0)`, `(,1.0]`, `[1.0]`,
 * and (Maven only) unions of intervals separated by commas.
 */
export interface Bound<T> {
  readonly version: T;
  readonly inclusive: boolean;
}

export interface Interval<T> {
  readonly lower: Bound<T> | null;
  readonly upper: Bound<T> | null;
}

export interface IntervalSyntax<T> {
  parse(text: string): T;
  compare(a: T, b: T): Ordering;
  allowUnion: boolean;
}

export function parseIntervals<T>(range: string, syntax: IntervalSyntax<T>): Interval<T>[] {
  const intervals: Interval<T>[] = [];
  let rest = range.trim();
  while (rest.length > 0) {
    const open = rest[0];
    if (open !== '[' && open !== '(') {
      throw new VersioningError('INVALID_RANGE', `expected "[" or "(" at "${rest}"`, { range });
    }
    const closeAt = rest.search(/[\])]/);
    if (closeAt < 0) throw new VersioningError('INVALID_RANGE', 'unterminated interval', { range });
    const close = rest[closeAt];
    const body = rest.slice(1, closeAt);
    intervals.push(parseInterval(body, open === '[', close === ']', range, syntax));
    rest = rest.slice(closeAt + 1).trim();
    if (rest.length > 0) {
      if (!syntax.allowUnion) {
        throw new VersioningError('INVALID_RANGE', 'unions of intervals are not supported here', { range });
      }
      if (rest[0] !== ',') throw new VersioningError('INVALID_RANGE', `expected "," at "${rest}"`, { range });
      rest = rest.slice(1).trim();
      if (rest.length === 0) throw new VersioningError('INVALID_RANGE', 'trailing "," in range', { range });
    }
  }
  if (intervals.length === 0) throw new VersioningError('INVALID_RANGE', 'empty range', { range });
  return intervals;
}

function parseInterval<T>(
  body: string,
  lowerInclusive: boolean,
  upperInclusive: boolean,
  range: string,
  syntax: IntervalSyntax<T>,
): Interval<T> {
  const parts = body.split(',');
  if (parts.length === 1) {
    const text = (parts[0] ?? '').trim();
    if (!lowerInclusive || !upperInclusive || text.length === 0) {
      throw new VersioningError('INVALID_RANGE', 'a single version must be written [version]', { range });
    }
    const version = syntax.parse(text);
    return { lower: { version, inclusive: true }, upper: { version, inclusive: true } };
  }
  if (parts.length !== 2) {
    throw new VersioningError('INVALID_RANGE', 'an interval has at most one ","', { range });
  }
  const lowerText = (parts[0] ?? '').trim();
  const upperText = (parts[1] ?? '').trim();
  const lower = lowerText ? { version: syntax.parse(lowerText), inclusive: lowerInclusive } : null;
  const upper = upperText ? { version: syntax.parse(upperText), inclusive: upperInclusive } : null;
  if (lower && upper) {
    const order = syntax.compare(lower.version, upper.version);
    if (order > 0 || (order === 0 && !(lower.inclusive && upper.inclusive))) {
      throw new VersioningError('INVALID_RANGE', 'interval is empty: lower bound is above upper bound', { range });
    }
  }
  return { lower, upper };
}

export function intervalContains<T>(interval: Interval<T>, version: T, compare: (a: T, b: T) => Ordering): boolean {
  if (interval.lower) {
    const o = compare(version, interval.lower.version);
    if (o < 0 || (o === 0 && !interval.lower.inclusive)) return false;
  }
  if (interval.upper) {
    const o = compare(version, interval.upper.version);
    if (o > 0 || (o === 0 && !interval.upper.inclusive)) return false;
  }
  return true;
}

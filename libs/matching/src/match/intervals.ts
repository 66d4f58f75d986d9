import { compareParsed, parseVersion, type ParsedVersion } from '@stella/versioning';
import type { Comparator, ComparatorOp } from '../model';

export interface CompiledComparator {
  readonly op: ComparatorOp;
  readonly version: ParsedVersion;
}
export type CompiledIntervals = ReadonlyArray<readonly CompiledComparator[]>;

/**
 * Parses every comparator's version once in the ecosystem's scheme.
 * Throws the VersioningError of the first version that does not parse.
 */
export function compileIntervals(
  ecosystem: string,
  intervals: ReadonlyArray<ReadonlyArray<Comparator>>,
): CompiledIntervals {
  return intervals.map((interval) =>
    interval.map((c) => ({ op: c.op, version: parseVersion(ecosystem, c.version) })),
  );
}

function holds(op: ComparatorOp, order: number): boolean {
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}

/** True when the version satisfies every comparator of at least one interval. */
export function inIntervals(intervals: CompiledIntervals, version: ParsedVersion): boolean {
  return intervals.some((interval) => interval.every((c) => holds(c.op, compareParsed(version, c.version))));
}

const COMPARATOR = /^(<=|>=|!=|<|>|=)?\s*(\S+)$/;

/**
 * GitHub's `vulnerable_version_range` (`>= 2.5.0, < 2.5.16`, `= 1.1.6`, `<= 1.2.1`): one interval,
 * comparators separated by commas. Returns null when a part is not `op version`.
 */
export function parseGithubRange(range: string): Comparator[] | null {
  const out: Comparator[] = [];
  for (const part of range.split(',')) {
    const match = COMPARATOR.exec(part.trim());
    if (!match) return null;
    out.push({ op: (match[1] ?? '=') as ComparatorOp, version: match[2]! });
  }
  return out.length > 0 ? out : null;
}

/**
 * A `vers:` range's constraints (`vers:maven/>=2.4|<2.12.2|>=2.13.0|<2.15.0`) as intervals, read
 * left to right as the vers specification orders them: a lower bound opens an interval, an upper
 * bound closes it (an upper bound with no open interval starts from below every version), `=v` is
 * an interval of its own, `!=v` excludes v from every interval; `*` is every version.
 * Returns the scheme and intervals, or an error message.
 */
export function parseVers(vers: string): { scheme: string; intervals: Comparator[][] } | { error: string } {
  const match = /^vers:([a-z0-9.+-]+)\/(.+)$/i.exec(vers.trim());
  if (!match) return { error: 'not a vers: range (vers:<scheme>/<constraints>)' };
  const scheme = match[1]!.toLowerCase();
  const body = match[2]!.trim();
  if (body === '*') return { scheme, intervals: [[]] };
  const intervals: Comparator[][] = [];
  const excluded: Comparator[] = [];
  let open: Comparator | null = null;
  for (const raw of body.split('|')) {
    const part = raw.trim();
    const m = COMPARATOR.exec(part);
    if (!m || part === '') return { error: `constraint "${part.slice(0, 100)}" is not <op><version>` };
    const op = (m[1] ?? '=') as ComparatorOp;
    let version: string;
    try {
      version = decodeURIComponent(m[2]!);
    } catch {
      return { error: `constraint "${part.slice(0, 100)}" is not percent-encoded correctly` };
    }
    const c: Comparator = { op, version };
    if (op === '!=') excluded.push(c);
    else if (op === '=') {
      if (open) return { error: `"${part}" inside an open interval` };
      intervals.push([c]);
    } else if (op === '>=' || op === '>') {
      if (open) intervals.push([open]); // two lower bounds in a row: the first is unbounded above
      open = c;
    } else {
      intervals.push(open ? [open, c] : [c]);
      open = null;
    }
  }
  if (open) intervals.push([open]);
  if (intervals.length === 0 && excluded.length > 0) intervals.push([]);
  return { scheme, intervals: intervals.map((interval) => [...interval, ...excluded]) };
}

/** Versions that end an interval (`<v`): what upgrading to fixes, in the order written. */
export function fixedOfIntervals(intervals: ReadonlyArray<ReadonlyArray<Comparator>>): string[] {
  const out: string[] = [];
  for (const interval of intervals)
    for (const c of interval) if (c.op === '<' && !out.includes(c.version)) out.push(c.version);
  return out;
}

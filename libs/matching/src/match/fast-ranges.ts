import { compareParsed, parseVersion, resolveEcosystem, type ParsedVersion } from '@stella/versioning';
import type { AffectedPackage } from '../model';

type EventKind = 'introduced' | 'fixed' | 'last_affected';
interface FastEvent {
  readonly kind: EventKind;
  /** null: `introduced: "0"`, below every version. */
  readonly version: ParsedVersion | null;
}
export interface FastRanges {
  readonly ranges: ReadonlyArray<readonly FastEvent[]>;
  /** `versions` as listed (a verbatim match counts even if it does not parse). */
  readonly listed: ReadonlySet<string>;
  /** The listed versions that parse, ascending: an equivalent version counts too (PyPI 1.0 = 1.0.0). */
  readonly listedParsed: readonly ParsedVersion[];
}

// SEMVER ranges are ordered by SemVer 2.0; these ecosystems' own orderings agree with it.
const SEMVER_ORDERED: ReadonlySet<string> = new Set(['npm', 'crates.io', 'Go']);
// At equal versions `fixed` applies before `introduced` (adjacent intervals), as @stella/versioning does.
const TIE_ORDER: Readonly<Record<EventKind, number>> = { fixed: 0, introduced: 1, last_affected: 2 };

/**
 * The hot path of matching: an entry's ECOSYSTEM (and, where the orderings agree, SEMVER) ranges
 * with every event parsed once, evaluated with the OSV schema's algorithm on parsed versions
 * (`compareParsed` is 10-50x cheaper than parsing). Everything this does not cover exactly is left
 * to @stella/versioning's evaluator (null): `limit` events, other range types,
 * events that do not parse. GIT ranges are skipped, as the evaluator ignores them.
 */
export function compileFast(affected: AffectedPackage): FastRanges | null {
  const osv = affected.osv;
  if (affected.nativeRange !== undefined || !osv) return null;
  let base: string;
  try {
    base = resolveEcosystem(affected.ecosystem).ecosystem;
  } catch {
    return null;
  }
  const listed = new Set(osv.versions ?? []);
  const listedParsed: ParsedVersion[] = [];
  for (const text of listed) {
    const parsed = parseOrNull(affected.ecosystem, text);
    if (parsed) listedParsed.push(parsed);
  }
  listedParsed.sort(compareParsed);
  const ranges: FastEvent[][] = [];
  for (const range of osv.ranges ?? []) {
    if (range.type === 'GIT') continue;
    if (range.type !== 'ECOSYSTEM' && !(range.type === 'SEMVER' && SEMVER_ORDERED.has(base))) return null;
    const events: FastEvent[] = [];
    let introduced = false;
    for (const event of range.events) {
      const entries = Object.entries(event).filter(([, v]) => v !== undefined);
      if (entries.length !== 1) return null;
      const [kind, value] = entries[0]!;
      if (
        (kind !== 'introduced' && kind !== 'fixed' && kind !== 'last_affected') ||
        typeof value !== 'string'
      )
        return null;
      if (kind === 'introduced') introduced = true;
      if (kind === 'introduced' && value === '0') {
        events.push({ kind, version: null });
        continue;
      }
      const parsed = parseOrNull(affected.ecosystem, value);
      if (!parsed) return null;
      events.push({ kind, version: parsed });
    }
    if (!introduced) return null; // malformed: the evaluator reports it
    events.sort((a, b) => {
      if (a.version === null || b.version === null)
        return a.version === b.version ? 0 : a.version === null ? -1 : 1;
      return compareParsed(a.version, b.version) || TIE_ORDER[a.kind] - TIE_ORDER[b.kind];
    });
    ranges.push(events);
  }
  // Nothing evaluable: the evaluator answers unknown (NO_EVALUABLE_DATA) with its reason.
  return ranges.length > 0 || listed.size > 0 ? { ranges, listed, listedParsed } : null;
}

export function evaluateFast(fast: FastRanges, text: string, version: ParsedVersion): boolean {
  if (fast.listed.has(text)) return true;
  const listed = fast.listedParsed;
  let low = 0;
  let high = listed.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const order = compareParsed(listed[middle]!, version);
    if (order === 0) return true;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  for (const events of fast.ranges) {
    let affected = false;
    for (const event of events) {
      if (event.version === null) {
        affected = true;
        continue;
      }
      const order = compareParsed(event.version, version);
      if (event.kind === 'introduced') {
        if (order > 0) break; // sorted: every later event is above the version too
        affected = true;
      } else if (event.kind === 'fixed') {
        if (order > 0) break;
        affected = false;
      } else if (order < 0)
        affected = false; // last_affected below the version
      else break;
    }
    if (affected) return true;
  }
  return false;
}

export function parseOrNull(ecosystem: string, version: string): ParsedVersion | null {
  try {
    return parseVersion(ecosystem, version);
  } catch {
    return null;
  }
}

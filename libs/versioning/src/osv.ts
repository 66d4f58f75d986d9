import { z } from 'zod';
import { resolveEcosystem, schemeById } from './ecosystems';
import { VersioningError } from './errors';
import { checkVersionInput, isAcceptableVersionText } from './input';
import type { Ordering } from './ordering';
import type { SchemeId, VersionScheme } from './schemes/scheme';

/** The parts of an OSV `affected[]` entry that decide membership (OSV schema 1.x). */
const eventSchema = z
  .object({
    introduced: z.string().optional(),
    fixed: z.string().optional(),
    last_affected: z.string().optional(),
    limit: z.string().optional(),
  })
  .refine((e) => [e.introduced, e.fixed, e.last_affected, e.limit].filter((v) => v !== undefined).length === 1, {
    error: 'an event holds exactly one of introduced, fixed, last_affected, limit',
  });

const rangeSchema = z.object({
  type: z.string(),
  repo: z.string().optional(),
  events: z.array(eventSchema),
});

export const osvAffectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() }).optional(),
  ranges: z.array(rangeSchema).optional(),
  versions: z.array(z.string()).optional(),
});

export type OsvAffected = z.input<typeof osvAffectedSchema>;

/** Why an evaluation could not decide. Never a silent `false`. */
export type UnknownReason =
  /** The queried version does not parse in the ecosystem (or, for a SEMVER range, as SemVer 2.0). */
  | 'UNPARSEABLE_VERSION'
  /** An event version in a range does not parse in the range's ordering. */
  | 'UNPARSEABLE_EVENT'
  /** A range breaks the OSV schema's rules in a way that changes the answer (no `introduced`). */
  | 'MALFORMED_RANGE'
  /** Nothing could be evaluated: no evaluable range and no `versions` list. */
  | 'NO_EVALUABLE_DATA';

export interface IgnoredRange {
  readonly index: number;
  readonly type: string;
  /** GIT ranges need the repository's commit graph; other types are not defined by OSV. */
  readonly reason: 'GIT_RANGE_NEEDS_REPOSITORY' | 'UNSUPPORTED_RANGE_TYPE';
}

export type AffectedResult =
  | { readonly affected: boolean; readonly ignored: readonly IgnoredRange[] }
  | {
      readonly unknown: true;
      readonly reason: UnknownReason;
      readonly detail: string;
      readonly ignored: readonly IgnoredRange[];
    };

type EventKind = 'fixed' | 'introduced' | 'last_affected' | 'limit';
// At equal versions `fixed` is applied before `introduced`: adjacent intervals [a,b) [b,c) then
// contain b, and the evaluation never depends on the order events were written in.
const TIE_ORDER: Readonly<Record<EventKind, number>> = { fixed: 0, introduced: 1, last_affected: 2, limit: 3 };

interface CompiledEvent {
  readonly kind: EventKind;
  /** 'min' for introduced "0", 'max' for limit "*". */
  readonly position: 'min' | 'value' | 'max';
  readonly value: unknown;
}

type CompiledRange =
  | { readonly status: 'ignored'; readonly ignored: IgnoredRange }
  | { readonly status: 'unknown'; readonly reason: UnknownReason; readonly detail: string }
  | {
      readonly status: 'ready';
      readonly index: number;
      readonly scheme: VersionScheme<unknown>;
      readonly events: readonly CompiledEvent[];
      readonly limits: readonly CompiledEvent[];
    };

/** A reusable evaluator: validation and event parsing happen once, in compileAffected. */
export interface AffectedEvaluator {
  evaluate(version: string): AffectedResult;
}

// SEMVER ranges hold versions "with no leading v"; Go module versions carry one.
const stripV = (s: string): string => (s.startsWith('v') ? s.slice(1) : s);

function compareEventTo(scheme: VersionScheme<unknown>, version: unknown, event: CompiledEvent): Ordering {
  if (event.position === 'min') return 1;
  if (event.position === 'max') return -1;
  return scheme.compare(version, event.value);
}

type ParseOutcome = { ok: true; value: unknown } | { ok: false };

function tryParse(scheme: VersionScheme<unknown>, text: string): ParseOutcome {
  try {
    return { ok: true, value: scheme.parse(text).value };
  } catch {
    return { ok: false };
  }
}

function compileRange(
  index: number,
  range: z.infer<typeof rangeSchema>,
  ecosystemScheme: VersionScheme<unknown>,
  semverScheme: VersionScheme<unknown>,
): CompiledRange {
  if (range.type === 'GIT') {
    return { status: 'ignored', ignored: { index, type: range.type, reason: 'GIT_RANGE_NEEDS_REPOSITORY' } };
  }
  if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') {
    return { status: 'ignored', ignored: { index, type: range.type, reason: 'UNSUPPORTED_RANGE_TYPE' } };
  }
  const isSemver = range.type === 'SEMVER';
  const scheme = isSemver ? semverScheme : ecosystemScheme;
  const events: CompiledEvent[] = [];
  const limits: CompiledEvent[] = [];
  for (const e of range.events) {
    const kind: EventKind =
      e.introduced !== undefined ? 'introduced' : e.fixed !== undefined ? 'fixed' : e.last_affected !== undefined ? 'last_affected' : 'limit';
    const text = (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit) as string;
    let compiled: CompiledEvent;
    if (kind === 'introduced' && text === '0') compiled = { kind, position: 'min', value: null };
    else if (kind === 'limit' && text === '*') compiled = { kind, position: 'max', value: null };
    else {
      const parsed = isAcceptableVersionText(text) ? tryParse(scheme, isSemver ? stripV(text) : text) : { ok: false as const };
      if (!parsed.ok) {
        return {
          status: 'unknown',
          reason: 'UNPARSEABLE_EVENT',
          detail: `range ${index}: ${kind} "${text.slice(0, 80)}" is not a valid ${scheme.id} version`,
        };
      }
      compiled = { kind, position: 'value', value: parsed.value };
    }
    (kind === 'limit' ? limits : events).push(compiled);
  }
  if (!events.some((e) => e.kind === 'introduced')) {
    return { status: 'unknown', reason: 'MALFORMED_RANGE', detail: `range ${index} has no introduced event` };
  }
  const rank = { min: -1, value: 0, max: 1 } as const;
  events.sort((a, b) => {
    let o: number = rank[a.position] - rank[b.position];
    if (o === 0 && a.position === 'value') o = scheme.compare(a.value, b.value);
    return o !== 0 ? o : TIE_ORDER[a.kind] - TIE_ORDER[b.kind];
  });
  return { status: 'ready', index, scheme, events, limits };
}

// The OSV schema's evaluation pseudocode (BeforeLimits + the sorted event walk).
function rangeIncludes(range: Extract<CompiledRange, { status: 'ready' }>, version: unknown): boolean {
  const { scheme, events, limits } = range;
  if (limits.length > 0 && !limits.some((limit) => compareEventTo(scheme, version, limit) < 0)) return false;
  let vulnerable = false;
  for (const event of events) {
    const o = compareEventTo(scheme, version, event);
    if (event.kind === 'introduced') {
      if (o >= 0) vulnerable = true;
    } else if (event.kind === 'fixed') {
      if (o >= 0) vulnerable = false;
    } else if (o > 0) {
      vulnerable = false;
    }
  }
  return vulnerable;
}

/**
 * Validates an OSV `affected` entry and prepares it for repeated evaluation in `ecosystem`.
 * Throws VersioningError: UNKNOWN_ECOSYSTEM, INVALID_INPUT, INVALID_OSV_AFFECTED.
 */
export function compileAffected(ecosystem: string, affected: unknown): AffectedEvaluator {
  const resolved = resolveEcosystem(ecosystem);
  const parsed = osvAffectedSchema.safeParse(affected);
  if (!parsed.success) {
    throw new VersioningError('INVALID_OSV_AFFECTED', 'not an OSV affected[] entry', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  const ecosystemScheme = schemeById(resolved.scheme);
  const semverScheme = schemeById('semver' satisfies SchemeId);
  const ranges = (parsed.data.ranges ?? []).map((r, i) => compileRange(i, r, ecosystemScheme, semverScheme));
  // Shared by every result of this evaluator, so frozen: one caller cannot alter another's answer.
  const ignored: readonly IgnoredRange[] = Object.freeze(
    ranges.flatMap((r) => (r.status === 'ignored' ? [Object.freeze(r.ignored)] : [])),
  );
  const listed = parsed.data.versions ?? [];
  const listedExact = new Set(listed);
  const listedParsed = listed
    .filter(isAcceptableVersionText)
    .map((v) => tryParse(ecosystemScheme, v))
    .flatMap((p) => (p.ok ? [p.value] : []));
  const hasVersionList = parsed.data.versions !== undefined && listed.length > 0;

  return {
    evaluate(version: string): AffectedResult {
      const text = checkVersionInput(version);
      if (listedExact.has(text)) return { affected: true, ignored };

      const inEcosystem = tryParse(ecosystemScheme, text);
      let asSemver: ParseOutcome | undefined;
      let undecided: { reason: UnknownReason; detail: string } | undefined;
      let evaluated = false;

      for (const range of ranges) {
        if (range.status === 'ignored') continue;
        if (range.status === 'unknown') {
          undecided ??= { reason: range.reason, detail: range.detail };
          continue;
        }
        let candidate: ParseOutcome;
        if (range.scheme === semverScheme) {
          asSemver ??= ecosystemScheme === semverScheme ? inEcosystem : tryParse(semverScheme, stripV(text));
          candidate = asSemver;
        } else {
          candidate = inEcosystem;
        }
        if (!candidate.ok) {
          undecided ??= {
            reason: 'UNPARSEABLE_VERSION',
            detail: `"${text}" is not a valid ${range.scheme.id} version (range ${range.index})`,
          };
          continue;
        }
        evaluated = true;
        if (rangeIncludes(range, candidate.value)) return { affected: true, ignored };
      }

      if (inEcosystem.ok && listedParsed.some((v) => ecosystemScheme.compare(inEcosystem.value, v) === 0)) {
        return { affected: true, ignored };
      }
      if (undecided) return { unknown: true, ...undecided, ignored };
      if (!inEcosystem.ok) {
        return {
          unknown: true,
          reason: 'UNPARSEABLE_VERSION',
          detail: `"${text}" is not a valid ${ecosystemScheme.id} version`,
          ignored,
        };
      }
      if (!evaluated && !hasVersionList) {
        return {
          unknown: true,
          reason: 'NO_EVALUABLE_DATA',
          detail: ignored.length > 0 ? 'only ranges that cannot be evaluated offline' : 'no ranges and no versions',
          ignored,
        };
      }
      return { affected: false, ignored };
    },
  };
}

/**
 * Is `version` of a package in `ecosystem` inside an OSV `affected[]` entry? Ranges follow the
 * OSV schema's evaluation algorithm; GIT ranges are listed in `ignored`, not treated as errors.
 */
export function isAffected(ecosystem: string, version: string, affected: unknown): AffectedResult {
  const text = checkVersionInput(version);
  return compileAffected(ecosystem, affected).evaluate(text);
}

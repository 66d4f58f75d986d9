import { VersioningError } from '../errors';
import { type Ordering, compareDigitStrings, compareStrings, stripLeadingZeros } from '../ordering';
import type { ParsedVersion, SatisfiesOptions, VersionScheme } from './scheme';

/** A PEP 440 version, numbers kept as digit strings (no leading zeros) so nothing overflows. */
export interface Pep440Version {
  readonly epoch: string;
  readonly release: readonly string[];
  readonly pre: { readonly label: 'a' | 'b' | 'rc'; readonly number: string } | null;
  readonly post: string | null;
  readonly dev: string | null;
  /** Local segments, lower-cased; digit-only segments stay digit strings without leading zeros. */
  readonly local: readonly string[] | null;
}

// PEP 440 appendix B's pattern, as the `packaging` library applies it (case-insensitive, `v` prefix allowed).
const VERSION_PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:([0-9]+)!)?' +
    '([0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' +
    '(?:(?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' +
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

const PRE_LABELS: Readonly<Record<string, 'a' | 'b' | 'rc'>> = {
  alpha: 'a',
  a: 'a',
  beta: 'b',
  b: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

const DIGITS = /^[0-9]+$/;

export function parsePep440(input: string): Pep440Version | null {
  const m = VERSION_PATTERN.exec(input);
  if (!m) return null;
  const [, epoch, release, preLabel, preNumber, postImplicit, postLabel, postNumber, devLabel, devNumber, local] = m;
  if (release === undefined) return null;
  return {
    epoch: stripLeadingZeros(epoch ?? '0'),
    release: release.split('.').map(stripLeadingZeros),
    pre: preLabel ? { label: PRE_LABELS[preLabel.toLowerCase()] ?? 'rc', number: stripLeadingZeros(preNumber ?? '0') } : null,
    post:
      postImplicit !== undefined
        ? stripLeadingZeros(postImplicit)
        : postLabel
          ? stripLeadingZeros(postNumber ?? '0')
          : null,
    dev: devLabel ? stripLeadingZeros(devNumber ?? '0') : null,
    local: local
      ? local
          .toLowerCase()
          .split(/[-_.]/)
          .map((s) => (DIGITS.test(s) ? stripLeadingZeros(s) : s))
      : null,
  };
}

export function formatPep440(v: Pep440Version): string {
  let s = v.epoch !== '0' ? `${v.epoch}!` : '';
  s += v.release.join('.');
  if (v.pre) s += `${v.pre.label}${v.pre.number}`;
  if (v.post !== null) s += `.post${v.post}`;
  if (v.dev !== null) s += `.dev${v.dev}`;
  if (v.local) s += `+${v.local.join('.')}`;
  return s;
}

const isPrerelease = (v: Pep440Version): boolean => v.pre !== null || v.dev !== null;

function compareRelease(a: readonly string[], b: readonly string[]): Ordering {
  // Trailing zeros are insignificant: 1.0 == 1.0.0.
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const o = compareDigitStrings(a[i] ?? '0', b[i] ?? '0');
    if (o !== 0) return o;
  }
  return 0;
}

// Rank of the pre-release slot: a dev release of a final (1.0.dev1) sorts before its pre-releases.
function preRank(v: Pep440Version): number {
  if (v.pre === null && v.post === null && v.dev !== null) return -1;
  if (v.pre === null) return 1;
  return 0;
}

function compareLocal(a: readonly string[] | null, b: readonly string[] | null): Ordering {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const xNum = DIGITS.test(x);
    const yNum = DIGITS.test(y);
    // A numeric local segment sorts after an alphanumeric one (PEP 440).
    const o = xNum && yNum ? compareDigitStrings(x, y) : xNum ? 1 : yNum ? -1 : compareStrings(x, y);
    if (o !== 0) return o;
  }
  return 0;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): Ordering {
  let o = compareDigitStrings(a.epoch, b.epoch);
  if (o !== 0) return o;
  o = compareRelease(a.release, b.release);
  if (o !== 0) return o;
  const ra = preRank(a);
  const rb = preRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === 0 && a.pre && b.pre) {
    o = compareStrings(a.pre.label, b.pre.label);
    if (o !== 0) return o;
    o = compareDigitStrings(a.pre.number, b.pre.number);
    if (o !== 0) return o;
  }
  if (a.post !== b.post) {
    if (a.post === null) return -1;
    if (b.post === null) return 1;
    o = compareDigitStrings(a.post, b.post);
    if (o !== 0) return o;
  }
  if (a.dev !== b.dev) {
    if (a.dev === null) return 1;
    if (b.dev === null) return -1;
    o = compareDigitStrings(a.dev, b.dev);
    if (o !== 0) return o;
  }
  return compareLocal(a.local, b.local);
}

const publicOf = (v: Pep440Version): Pep440Version => (v.local === null ? v : { ...v, local: null });
const baseOf = (v: Pep440Version): Pep440Version => ({
  epoch: v.epoch,
  release: v.release,
  pre: null,
  post: null,
  dev: null,
  local: null,
});

type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

interface Specifier {
  readonly operator: SpecifierOperator;
  /** Parsed operand; null only for `===` operands that are not PEP 440 versions. */
  readonly version: Pep440Version | null;
  /** `==`/`!=` with a trailing `.*`: the operand is a release prefix. */
  readonly prefix: boolean;
  readonly text: string;
}

const SPECIFIER = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*$/;

function invalidRange(range: string, message: string): VersioningError<'INVALID_RANGE'> {
  return new VersioningError('INVALID_RANGE', message, { scheme: 'pypi', range });
}

function parseSpecifier(clause: string, range: string): Specifier {
  const m = SPECIFIER.exec(clause);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw invalidRange(range, `not a PEP 440 version specifier: "${clause.trim()}"`);
  }
  const operator = m[1] as SpecifierOperator;
  const text = m[2];
  if (operator === '===') return { operator, version: parsePep440(text), prefix: false, text };
  const prefix = (operator === '==' || operator === '!=') && text.endsWith('.*');
  const version = parsePep440(prefix ? text.slice(0, -2) : text);
  if (!version) throw invalidRange(range, `not a PEP 440 version: "${text}"`);
  if (prefix && (version.pre || version.post !== null || version.dev !== null || version.local)) {
    throw invalidRange(range, `a ".*" prefix may only follow a release segment: "${text}"`);
  }
  if (version.local && operator !== '==' && operator !== '!=') {
    throw invalidRange(range, `local versions are only allowed with == and !=: "${text}"`);
  }
  if (operator === '~=' && version.release.length < 2) {
    throw invalidRange(range, `~= needs at least two release segments: "${text}"`);
  }
  return { operator, version, prefix, text };
}

export function parseSpecifierSet(range: string): Specifier[] {
  if (range.trim() === '') return [];
  return range.split(',').map((clause) => parseSpecifier(clause, range));
}

function prefixMatches(candidate: Pep440Version, prefix: Pep440Version): boolean {
  if (compareDigitStrings(candidate.epoch, prefix.epoch) !== 0) return false;
  return prefix.release.every((part, i) => compareDigitStrings(candidate.release[i] ?? '0', part) === 0);
}

function specifierContains(spec: Specifier, v: Pep440Version, raw: string): boolean {
  const operand = spec.version;
  switch (spec.operator) {
    case '===':
      // As packaging 26: the candidate string as given, not its normal form, so ===1.0 rejects v1.0.
      return raw.toLowerCase() === spec.text.toLowerCase();
    case '==':
    case '!=': {
      if (!operand) return false;
      const equal = spec.prefix
        ? prefixMatches(v, operand)
        : comparePep440(operand.local ? v : publicOf(v), operand) === 0;
      return spec.operator === '==' ? equal : !equal;
    }
    case '~=': {
      if (!operand) return false;
      const prefix = { ...baseOf(operand), release: operand.release.slice(0, -1) };
      return comparePep440(publicOf(v), operand) >= 0 && prefixMatches(v, prefix);
    }
    case '<=':
      return operand !== null && comparePep440(publicOf(v), operand) <= 0;
    case '>=':
      return operand !== null && comparePep440(publicOf(v), operand) >= 0;
    case '<': {
      if (!operand || comparePep440(v, operand) >= 0) return false;
      // <V excludes pre-releases of V itself unless V is a pre-release.
      return !(!isPrerelease(operand) && isPrerelease(v) && comparePep440(baseOf(v), baseOf(operand)) === 0);
    }
    case '>': {
      if (!operand || comparePep440(v, operand) <= 0) return false;
      const sameBase = comparePep440(baseOf(v), baseOf(operand)) === 0;
      // >V excludes post-releases of V unless V is one, and local versions of V.
      if (operand.post === null && v.post !== null && sameBase) return false;
      return !(v.local !== null && sameBase);
    }
  }
}

// A specifier "mentions" a pre-release when its operand is one; the set then admits pre-releases.
function specifierAllowsPrerelease(spec: Specifier): boolean {
  return spec.operator !== '!=' && spec.version !== null && isPrerelease(spec.version);
}

export function specifierSetContains(
  specs: readonly Specifier[],
  version: ParsedVersion<Pep440Version>,
  options: SatisfiesOptions,
): boolean {
  const v = version.value;
  // Default as `packaging` 26 SpecifierSet.contains(): one candidate is "the only available version",
  // so PEP 440 admits it even if it is a pre-release. `false` applies the resolver's rule instead.
  const prereleases = options.includePrerelease !== false || specs.some(specifierAllowsPrerelease);
  if (!prereleases && isPrerelease(v)) return false;
  return specs.every((s) => specifierContains(s, v, version.input));
}

export const pypiScheme: VersionScheme<Pep440Version> = {
  id: 'pypi',
  parse(input): ParsedVersion<Pep440Version> {
    const value = parsePep440(input);
    if (!value) {
      throw new VersioningError('INVALID_VERSION', `not a valid PEP 440 version: "${input}"`, { scheme: 'pypi', input });
    }
    return { scheme: 'pypi', input, normalized: formatPep440(value), prerelease: isPrerelease(value), value };
  },
  compare: comparePep440,
  satisfies(version, range, options) {
    return specifierSetContains(parseSpecifierSet(range), version, options);
  },
};

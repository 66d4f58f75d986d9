import { type ComparatorTest, evaluateComparatorExpression, parseComparatorExpression } from '../comparator-expression';
import { VersioningError } from '../errors';
import { type Ordering, compareDigitStrings, isAsciiLetterCode, isDigitCode, sign } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/** A Debian package version `[epoch:]upstream[-revision]`, as dpkg parses it. */
export interface DebianVersion {
  readonly epoch: string;
  readonly upstream: string;
  readonly revision: string;
}

// dpkg's parseversion() rules, with its warnings treated as errors: upstream starts with a digit,
// upstream may hold [A-Za-z0-9.+~-:], revision [A-Za-z0-9.+~]. The revision follows the last hyphen.
const EPOCH = /^[0-9]+$/;
const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

export function parseDebianVersion(input: string): DebianVersion | null {
  const text = input.trim();
  if (text.length === 0 || /\s/.test(text)) return null;
  const colon = text.indexOf(':');
  let epoch = '0';
  let rest = text;
  if (colon >= 0) {
    epoch = text.slice(0, colon);
    rest = text.slice(colon + 1);
    // dpkg stores the epoch as an int and refuses values above INT_MAX.
    if (!EPOCH.test(epoch) || compareDigitStrings(epoch, '2147483647') > 0) return null;
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (!UPSTREAM.test(upstream)) return null;
  if (hyphen >= 0 && !REVISION.test(revision)) return null;
  // A colon inside upstream is only legal when an epoch is present (Debian policy 5.6.12).
  if (colon < 0 && upstream.includes(':')) return null;
  return { epoch, upstream, revision };
}

// dpkg's order(): `~` sorts before everything (even the end), letters before non-letters.
function order(c: number): number {
  if (Number.isNaN(c)) return 0;
  if (isDigitCode(c)) return 0;
  if (isAsciiLetterCode(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** dpkg's verrevcmp(): alternating non-digit and digit runs. */
export function verrevcmp(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigitCode(a.charCodeAt(i))) || (j < b.length && !isDigitCode(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (isDigitCode(a.charCodeAt(i)) && isDigitCode(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigitCode(a.charCodeAt(i))) return 1;
    if (isDigitCode(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return sign(firstDiff);
  }
  return 0;
}

export function compareDebianVersions(a: DebianVersion, b: DebianVersion): Ordering {
  return compareDigitStrings(a.epoch, b.epoch) || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

// Debian's relation operators. The obsolete `<` and `>` (meaning <= and >=) are refused as ambiguous.
const DEBIAN_TESTS: Readonly<Record<string, ComparatorTest>> = {
  '<<': (o) => o < 0,
  '<=': (o) => o <= 0,
  '=': (o) => o === 0,
  '>=': (o) => o >= 0,
  '>>': (o) => o > 0,
};

function parseOrThrow(input: string, errorCode: 'INVALID_VERSION' | 'INVALID_RANGE'): DebianVersion {
  const v = parseDebianVersion(input);
  if (!v) throw new VersioningError(errorCode, `not a valid Debian version: "${input}"`, { scheme: 'debian', input });
  return v;
}

export const debianScheme: VersionScheme<DebianVersion> = {
  id: 'debian',
  parse(input): ParsedVersion<DebianVersion> {
    const value = parseOrThrow(input, 'INVALID_VERSION');
    const normalized = `${value.epoch !== '0' ? `${value.epoch}:` : ''}${value.upstream}${value.revision ? `-${value.revision}` : ''}`;
    return { scheme: 'debian', input, normalized, prerelease: value.upstream.includes('~'), value };
  },
  compare: compareDebianVersions,
  satisfies(version, range) {
    const expression = parseComparatorExpression(range, Object.keys(DEBIAN_TESTS), (text) =>
      parseOrThrow(text, 'INVALID_RANGE'),
    );
    return evaluateComparatorExpression(expression, (c) =>
      (DEBIAN_TESTS[c.operator] as ComparatorTest)(compareDebianVersions(version.value, c.operand)),
    );
  },
};

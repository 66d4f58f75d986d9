import { evaluateComparatorExpression, parseComparatorExpression } from '../comparator-expression';
import { VersioningError } from '../errors';
import { type Ordering, compareDigitStrings, compareStrings, isDigitCode, stripLeadingZeros } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/**
 * apk-tools version syntax: digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}.
 * Token kinds are ranked: where two versions agree up to the point one has a different kind of
 * token next, the lower-ranked kind makes the version greater (1.0.1 > 1.0_p1 > 1.0), except that
 * a pre-release suffix (_alpha, _beta, _pre, _rc) makes it smaller.
 */
enum Token {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  CommitHash,
  RevisionNumber,
  End,
  Invalid,
}

// Suffix ranks: the four pre-release suffixes sort below "none", the five post-release ones above.
const SUFFIX_RANK: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface ApkToken {
  readonly kind: Token;
  /** The token's text (digits, letter, suffix name or hash). */
  readonly text: string;
}

export interface AlpineVersion {
  readonly tokens: readonly ApkToken[];
}

/** Tokenises like apk-tools' token_first/token_next; returns null where apk_version_validate fails. */
export function tokenizeApkVersion(input: string): ApkToken[] | null {
  const tokens: ApkToken[] = [];
  const digits = /^[0-9]+/;
  let rest = input;
  let m = digits.exec(rest);
  if (!m) return null;
  tokens.push({ kind: Token.InitialDigit, text: m[0] });
  rest = rest.slice(m[0].length);
  let kind: Token = Token.InitialDigit;
  while (rest.length > 0) {
    const c = rest.charCodeAt(0);
    if (c >= 97 && c <= 122) {
      if (kind > Token.Digit) return null;
      kind = Token.Letter;
      tokens.push({ kind, text: rest[0] as string });
      rest = rest.slice(1);
    } else if (c === 46 /* . */ || isDigitCode(c)) {
      if (kind > Token.Digit && !(isDigitCode(c) && kind === Token.Suffix)) return null;
      if (c === 46) {
        if (kind > Token.Digit) return null;
        rest = rest.slice(1);
      }
      kind = kind === Token.Suffix ? Token.SuffixNumber : Token.Digit;
      m = digits.exec(rest);
      if (!m) return null;
      tokens.push({ kind, text: m[0] });
      rest = rest.slice(m[0].length);
    } else if (c === 95 /* _ */) {
      if (kind > Token.SuffixNumber) return null;
      const name = /^_([a-z]*)/.exec(rest)?.[1] ?? '';
      if (SUFFIX_RANK[name] === undefined) return null;
      kind = Token.Suffix;
      tokens.push({ kind, text: name });
      rest = rest.slice(name.length + 1);
    } else if (c === 126 /* ~ */) {
      if (kind >= Token.CommitHash) return null;
      const hash = /^~([0-9a-fA-F]+)/.exec(rest)?.[1];
      if (!hash) return null;
      kind = Token.CommitHash;
      tokens.push({ kind, text: hash });
      rest = rest.slice(hash.length + 1);
    } else if (c === 45 /* - */) {
      if (kind >= Token.RevisionNumber) return null;
      const revision = /^-r([0-9]+)/.exec(rest)?.[1];
      if (revision === undefined) return null;
      kind = Token.RevisionNumber;
      tokens.push({ kind, text: revision });
      rest = rest.slice(revision.length + 2);
    } else {
      return null;
    }
  }
  return tokens;
}

function compareTokens(a: ApkToken, b: ApkToken): Ordering {
  switch (a.kind) {
    case Token.Digit:
      // Gentoo rule: a component with a leading zero compares as a string (1.01 < 1.1, like decimals).
      if (a.text[0] === '0' || b.text[0] === '0') return compareBlobs(a.text, b.text);
      return compareDigitStrings(a.text, b.text);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.RevisionNumber:
      return compareDigitStrings(stripLeadingZeros(a.text), stripLeadingZeros(b.text));
    case Token.Letter:
      return compareStrings(a.text, b.text);
    case Token.Suffix:
      return (Math.sign((SUFFIX_RANK[a.text] ?? 0) - (SUFFIX_RANK[b.text] ?? 0)) || 0) as Ordering;
    default:
      return compareBlobs(a.text, b.text);
  }
}

// apk_blob_sort: memcmp over the common length, then the shorter blob first.
function compareBlobs(a: string, b: string): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const END: ApkToken = { kind: Token.End, text: '' };

/** apk_version_compare_fuzzy(); with `fuzzy`, b being a prefix of a counts as equal (the `~` operator). */
export function compareAlpineVersions(a: AlpineVersion, b: AlpineVersion, fuzzy = false): Ordering {
  const n = Math.max(a.tokens.length, b.tokens.length);
  let ta: ApkToken = END;
  let tb: ApkToken = END;
  for (let i = 0; i <= n; i++) {
    ta = a.tokens[i] ?? END;
    tb = b.tokens[i] ?? END;
    if (ta.kind !== tb.kind || ta.kind === Token.End) break;
    const o = compareTokens(ta, tb);
    if (o !== 0) return o;
  }
  if (ta.kind === tb.kind) return 0;
  if (tb.kind === Token.End && fuzzy) return 0;
  if (ta.kind === Token.Suffix && (SUFFIX_RANK[ta.text] ?? SUFFIX_NONE) < SUFFIX_NONE) return -1;
  if (tb.kind === Token.Suffix && (SUFFIX_RANK[tb.text] ?? SUFFIX_NONE) < SUFFIX_NONE) return 1;
  return ta.kind > tb.kind ? -1 : 1;
}

// apk dependency operators: result masks over {less, equal, greater}, `~` being the fuzzy (prefix) match.
const LESS = 1;
const EQUAL = 2;
const GREATER = 4;
const APK_OPERATORS: Readonly<Record<string, { mask: number; fuzzy: boolean }>> = {
  '<': { mask: LESS, fuzzy: false },
  '<=': { mask: LESS | EQUAL, fuzzy: false },
  '=': { mask: EQUAL, fuzzy: false },
  '>=': { mask: GREATER | EQUAL, fuzzy: false },
  '>': { mask: GREATER, fuzzy: false },
  '~': { mask: EQUAL, fuzzy: true },
  '=~': { mask: EQUAL, fuzzy: true },
  '<~': { mask: LESS | EQUAL, fuzzy: true },
  '>~': { mask: GREATER | EQUAL, fuzzy: true },
};

function parseOrThrow(input: string, errorCode: 'INVALID_VERSION' | 'INVALID_RANGE'): AlpineVersion {
  const tokens = tokenizeApkVersion(input.trim());
  if (!tokens) throw new VersioningError(errorCode, `not a valid apk version: "${input}"`, { scheme: 'alpine', input });
  return { tokens };
}

export const alpineScheme: VersionScheme<AlpineVersion> = {
  id: 'alpine',
  parse(input): ParsedVersion<AlpineVersion> {
    const value = parseOrThrow(input, 'INVALID_VERSION');
    const prerelease = value.tokens.some(
      (t) => t.kind === Token.Suffix && (SUFFIX_RANK[t.text] ?? SUFFIX_NONE) < SUFFIX_NONE,
    );
    return { scheme: 'alpine', input, normalized: input.trim(), prerelease, value };
  },
  compare: (a, b) => compareAlpineVersions(a, b),
  satisfies(version, range) {
    const expression = parseComparatorExpression(range, Object.keys(APK_OPERATORS), (text) =>
      parseOrThrow(text, 'INVALID_RANGE'),
    );
    return evaluateComparatorExpression(expression, (c) => {
      const op = APK_OPERATORS[c.operator] as { mask: number; fuzzy: boolean };
      const o = compareAlpineVersions(version.value, c.operand, op.fuzzy);
      return (op.mask & (o < 0 ? LESS : o > 0 ? GREATER : EQUAL)) !== 0;
    });
  },
};

import { VersioningError } from '../errors';
import { intervalContains, parseIntervals } from '../interval-range';
import { type Ordering, compareDigitStrings, compareStrings, isDigitCode, stripLeadingZeros } from '../ordering';
import type { ParsedVersion, VersionScheme } from './scheme';

/**
 * Maven's ComparableVersion (maven-artifact 3.9.x), item for item:
 * a version is a list of numbers, qualifiers and nested lists (a nested list starts at `-` or at
 * a digit/letter transition); trailing "null" items (0, "", ga/final/release, empty lists) are dropped.
 */
export type MavenItem =
  | { readonly kind: 'number'; readonly digits: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: MavenItem[] };

type MavenList = Extract<MavenItem, { kind: 'list' }>;

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

// Maven compares qualifiers through this string: known ones by rank, unknown ones after all known, lexically.
function comparableQualifier(value: string): string {
  const i = QUALIFIERS.indexOf(value);
  return i === -1 ? `${QUALIFIERS.length}-${value}` : String(i);
}

function stringItem(raw: string, followedByDigit: boolean): MavenItem {
  let value = raw;
  if (followedByDigit && value.length === 1) {
    // a1 = alpha-1, b1 = beta-1, m1 = milestone-1
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  return { kind: 'string', value: ALIASES[value] ?? value };
}

function parseItem(isDigit: boolean, text: string): MavenItem {
  return isDigit ? { kind: 'number', digits: stripLeadingZeros(text) } : stringItem(text, false);
}

function isNull(item: MavenItem): boolean {
  switch (item.kind) {
    case 'number':
      return item.digits === '0';
    case 'string':
      return comparableQualifier(item.value) === RELEASE_INDEX;
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: MavenList): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const last = list.items[i] as MavenItem;
    if (isNull(last)) list.items.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

const ZERO: MavenItem = { kind: 'number', digits: '0' };

export function parseMavenItems(input: string): MavenList {
  const version = input.toLowerCase();
  const root: MavenList = { kind: 'list', items: [] };
  let list = root;
  const stack: MavenList[] = [root];
  const openList = (): void => {
    const next: MavenList = { kind: 'list', items: [] };
    list.items.push(next);
    list = next;
    stack.push(next);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < version.length; i++) {
    const c = version.charCodeAt(i);
    if (c === 46 /* . */ || c === 45 /* - */) {
      list.items.push(i === start ? ZERO : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      if (c === 45) openList();
    } else if (isDigitCode(c)) {
      if (!isDigit && i > start) {
        // letters then a digit ("rc1"): the qualifier opens its own list, and so does the number after it.
        if (list.items.length > 0) openList();
        list.items.push(stringItem(version.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, version.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    if (!isDigit && list.items.length > 0) openList();
    list.items.push(parseItem(isDigit, version.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop() as MavenList);
  return root;
}

// Item.compareTo(null): how an item compares with a missing item on the other side.
function compareWithMissing(item: MavenItem): Ordering {
  switch (item.kind) {
    case 'number':
      return item.digits === '0' ? 0 : 1;
    case 'string':
      return compareStrings(comparableQualifier(item.value), RELEASE_INDEX);
    case 'list':
      for (const child of item.items) {
        const o = compareWithMissing(child);
        if (o !== 0) return o;
      }
      return 0;
  }
}

export function compareMavenItems(a: MavenItem, b: MavenItem): Ordering {
  switch (a.kind) {
    case 'number':
      // 1.1 > 1-sp, 1.1 > 1-1
      return b.kind === 'number' ? compareDigitStrings(a.digits, b.digits) : 1;
    case 'string':
      // 1.any < 1.1, 1.any < 1-1
      return b.kind === 'string' ? compareStrings(comparableQualifier(a.value), comparableQualifier(b.value)) : -1;
    case 'list': {
      if (b.kind === 'number') return -1; // 1-1 < 1.0.x
      if (b.kind === 'string') return 1; // 1-1 > 1-sp
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i];
        const r = b.items[i];
        const o =
          l === undefined
            ? r === undefined
              ? 0
              : ((-compareWithMissing(r) || 0) as Ordering)
            : r === undefined
              ? compareWithMissing(l)
              : compareMavenItems(l, r);
        if (o !== 0) return o;
      }
      return 0;
    }
  }
}

export function mavenCanonical(list: MavenList): string {
  let out = '';
  for (const item of list.items) {
    if (out.length > 0) out += item.kind === 'list' ? '-' : '.';
    out += item.kind === 'number' ? item.digits : item.kind === 'string' ? item.value : mavenCanonical(item);
  }
  return out;
}

function containsPrereleaseQualifier(list: MavenList): boolean {
  return list.items.some((item) =>
    item.kind === 'list'
      ? containsPrereleaseQualifier(item)
      : item.kind === 'string' && QUALIFIERS.indexOf(item.value) >= 0 && QUALIFIERS.indexOf(item.value) < 5,
  );
}

// Maven accepts any string. This library requires a leading digit and no range punctuation: Maven's
// own order is not transitive over versions that start with a qualifier (release.alpha < 0 < foo <
// release.alpha in maven-artifact 3.9), so those yield INVALID_VERSION (OSV: unknown), not an order.
const MAVEN_VERSION = /^[0-9][A-Za-z0-9._+-]*$/;

export interface MavenVersion {
  readonly items: MavenList;
}

export const mavenScheme: VersionScheme<MavenVersion> = {
  id: 'maven',
  parse(input): ParsedVersion<MavenVersion> {
    const text = input.trim();
    if (!MAVEN_VERSION.test(text)) {
      throw new VersioningError('INVALID_VERSION', `not a valid Maven version: "${input}"`, { scheme: 'maven', input });
    }
    const items = parseMavenItems(text);
    return {
      scheme: 'maven',
      input,
      normalized: mavenCanonical(items),
      prerelease: containsPrereleaseQualifier(items),
      value: { items },
    };
  },
  compare: (a, b) => compareMavenItems(a.items, b.items),
  satisfies(version, range) {
    const compare = (a: MavenVersion, b: MavenVersion): Ordering => compareMavenItems(a.items, b.items);
    const trimmed = range.trim();
    // A bare version in a POM is a "soft" requirement that admits every version; as a membership
    // test that answers nothing, so a bare version here means exactly that version.
    if (trimmed.length > 0 && trimmed[0] !== '[' && trimmed[0] !== '(') {
      return compare(version.value, mavenScheme.parse(trimmed).value) === 0;
    }
    const intervals = parseIntervals(trimmed, {
      parse: (text) => {
        try {
          return mavenScheme.parse(text).value;
        } catch (cause) {
          throw new VersioningError('INVALID_RANGE', `not a valid Maven version in range: "${text}"`, { range }, { cause });
        }
      },
      compare,
      allowUnion: true,
    });
    return intervals.some((interval) => intervalContains(interval, version.value, compare));
  },
};

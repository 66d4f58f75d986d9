import { compareVersions } from './api';

/** Asserts `versions` is strictly increasing in `ecosystem`, for every pair, in both directions. */
export function expectStrictlyIncreasing(ecosystem: string, versions: readonly string[]): void {
  const failures: string[] = [];
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      const a = versions[i] as string;
      const b = versions[j] as string;
      if (compareVersions(ecosystem, a, b) !== -1) failures.push(`${a} < ${b}`);
      if (compareVersions(ecosystem, b, a) !== 1) failures.push(`${b} > ${a}`);
    }
  }
  expect(failures).toEqual([]);
}

/** Asserts each row `[a, expected, b]` where expected is '<', '=' or '>'. */
export function expectComparisons(ecosystem: string, rows: ReadonlyArray<readonly [string, '<' | '=' | '>', string]>): void {
  const symbol = (o: number): string => (o < 0 ? '<' : o > 0 ? '>' : '=');
  const actual = rows.map(([a, , b]) => `${a} ${symbol(compareVersions(ecosystem, a, b))} ${b}`);
  const expected = rows.map(([a, op, b]) => `${a} ${op} ${b}`);
  expect(actual).toEqual(expected);
}

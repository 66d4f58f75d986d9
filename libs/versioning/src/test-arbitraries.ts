import fc from 'fast-check';

/**
 * Generators of valid versions per ecosystem, shared by the ordering-law properties and the
 * oracle integration tests. Small alphabets make equal and near-equal versions frequent, which is
 * where comparison bugs hide.
 */
export const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const num = pick('0', '1', '2', '9', '10', '01', '00');
const smallNum = pick('0', '1', '2', '10');
const maybe = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(arb, { nil: '' }).map((s) => s ?? '');
const join = (sep: string, arb: fc.Arbitrary<string>, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(arb, { minLength: min, maxLength: max }).map((parts) => parts.join(sep));

const semverCore = fc.tuple(smallNum, smallNum, smallNum).map((p) => p.join('.').replace(/\b0+(\d)/g, '$1'));
const semverPre = join('.', pick('alpha', 'beta', 'rc', '0', '1', '2', '10', 'x-y', 'a1'), 1, 3).map((p) => `-${p}`);
const semverBuild = join('.', pick('b1', '001', 'sha'), 1, 2).map((p) => `+${p}`);

export const versionArbitraries: Record<string, fc.Arbitrary<string>> = {
  npm: fc.tuple(pick('', 'v', '='), semverCore, maybe(semverPre), maybe(semverBuild)).map((p) => p.join('')),
  'crates.io': fc.tuple(semverCore, maybe(semverPre), maybe(semverBuild)).map((p) => p.join('')),
  PyPI: fc
    .tuple(
      maybe(pick('1!', '0!', '2!')),
      join('.', num, 1, 4),
      maybe(fc.tuple(pick('a', 'b', 'rc', 'alpha', 'c', 'pre', '.a', '-b'), maybe(num)).map((p) => p.join(''))),
      maybe(pick('.post1', '-1', 'post0', '.post', '.rev2', '-3')),
      maybe(pick('.dev0', 'dev1', '.dev')),
      maybe(pick('+ubuntu1', '+1', '+abc.2', '+1.abc', '+ABC', '+01')),
    )
    .map((p) => p.join('')),
  // The shapes found on Maven Central: 1.2.3-SNAPSHOT, 1.0-rc1, 1.0-beta-2, 2.0.0.M1, 5.3.9.RELEASE,
  // 1.0-1. Maven's own order is not transitive over arbitrary strings (maven-artifact 3.9.6:
  // 1.1.a-0 < 1.1-alpha < 1.1.0 < 1.1.a-0); the "wild versions" block below covers those.
  Maven: fc
    .tuple(
      join('.', num, 1, 4),
      maybe(
        fc.oneof(
          fc
            .tuple(pick('alpha', 'beta', 'M', 'rc', 'RC', 'cr', 'SNAPSHOT', 'sp', 'xyz'), maybe(smallNum), maybe(pick('-1', '-2')))
            .map(([q, n, m]) => `-${q}${n}${n ? '' : m}`),
          fc.tuple(pick('M', 'RC', 'Final', 'RELEASE', 'GA', 'SP', 'beta'), maybe(smallNum)).map(([q, n]) => `.${q}${n}`),
          smallNum.map((n) => `-${n}`),
        ),
      ),
    )
    .map((p) => p.join('')),
  Go: fc
    .tuple(
      pick('v', ''),
      semverCore,
      maybe(
        fc.oneof(
          semverPre,
          pick('-20191109021931-daa7c04131f5', '-0.20200101000000-abcdefabcdef', '-pre.0.20200101000000-abcdefabcdef'),
        ),
      ),
      maybe(pick('+incompatible', '+meta')),
    )
    .map((p) => p.join('')),
  Debian: fc
    .tuple(
      maybe(pick('1:', '0:', '2:')),
      num,
      join('', pick('.', '~', '+', 'a', 'b', '1', '0', '~rc1', '+dfsg', '.2'), 0, 4),
      maybe(join('', pick('1', '0', '~', '+deb12u1', 'ubuntu1', '.1', 'a'), 1, 3).map((r) => `-${r}`)),
    )
    .map((p) => p.join('')),
  Alpine: fc
    .tuple(
      join('.', num, 1, 3),
      maybe(pick('a', 'b', 'z')),
      join('', fc.tuple(pick('_alpha', '_beta', '_pre', '_rc', '_p', '_git', '_cvs', '_svn', '_hg'), maybe(num)).map((p) => p.join('')), 0, 2),
      maybe(pick('~abc', '~0f')),
      maybe(pick('-r0', '-r1', '-r10')),
    )
    .map((p) => p.join('')),
  'Red Hat': fc
    .tuple(
      maybe(pick('1:', '0:')),
      join('', pick('1', '0', '.', '~', '^', 'a', 'b', '_', '+', '10', 'rc'), 1, 5),
      maybe(join('', pick('1', '0', '.', 'el8', '~', '^', '_'), 1, 3).map((r) => `-${r}`)),
    )
    .map((p) => p.join(''))
    .filter((v) => /^(?:\d+:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?$/.test(v)),
  RubyGems: fc
    .tuple(
      num,
      join('', fc.tuple(pick('.'), pick('0', '1', '2', 'a', 'b', 'pre', 'rc1', 'A')).map((p) => p.join('')), 0, 4),
      maybe(pick('-beta', '-1', '-rc.2')),
    )
    .map((p) => p.join('')),
  NuGet: fc
    .tuple(join('.', num, 1, 4), maybe(join('.', pick('alpha', 'Alpha', 'BETA', 'beta', '1', '01', '2', 'rc-1'), 1, 3).map((p) => `-${p}`)), maybe(pick('+m', '+1.2')))
    .map((p) => p.join('')),
};


export function arbitraryFor(ecosystem: string): fc.Arbitrary<string> {
  const arb = versionArbitraries[ecosystem];
  if (!arb) throw new Error(`no version generator for ${ecosystem}`);
  return arb;
}

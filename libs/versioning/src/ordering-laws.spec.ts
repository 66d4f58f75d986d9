import fc from 'fast-check';
import { compareVersions, parseVersion } from './api';
import { pick, versionArbitraries as generators } from './test-arbitraries';

// Ordering laws for every ecosystem, over generated valid versions (see test-arbitraries.ts).
function parseOk(ecosystem: string, v: string): boolean {
  try {
    parseVersion(ecosystem, v);
    return true;
  } catch {
    return false;
  }
}

describe.each(Object.entries(generators))('ordering laws: %s', (ecosystem, arb) => {
  const cmp = (a: string, b: string): number => compareVersions(ecosystem, a, b);

  it('generates only versions the ecosystem accepts', () => {
    fc.assert(fc.property(arb, (v) => parseOk(ecosystem, v)), { numRuns: 300 });
  });

  it('is reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(arb, arb, (a, b) => cmp(a, a) === 0 && cmp(a, b) === (-cmp(b, a) || 0)),
      { numRuns: 500 },
    );
  });

  it('treats equivalent versions as interchangeable', () => {
    fc.assert(
      fc.property(arb, arb, arb, (a, b, c) => cmp(a, b) !== 0 || cmp(a, c) === cmp(b, c)),
      { numRuns: 500 },
    );
  });

  it('is transitive: a sorted sample is ordered pairwise', () => {
    fc.assert(
      fc.property(fc.array(arb, { minLength: 2, maxLength: 12 }), (sample) => {
        const sorted = [...sample].sort(cmp);
        return sorted.every((a, i) => sorted.slice(i + 1).every((b) => cmp(a, b) <= 0));
      }),
      { numRuns: 300 },
    );
  });
});

describe('ordering laws: Maven, wild versions', () => {
  const wild = fc
    .array(
      fc.tuple(
        pick('.', '-', ''),
        pick('1', '0', '2', '10', '00', 'alpha', 'a', 'beta', 'b', 'm', 'rc', 'cr', 'snapshot', 'ga', 'final', 'sp', 'xyz'),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((parts) => parts.map(([sep, tok], i) => (i === 0 ? tok : sep + tok)).join(''))
    .filter((v) => /^[0-9]/.test(v));
  const cmp = (a: string, b: string): number => compareVersions('Maven', a, b);

  it('stays reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(wild, wild, (a, b) => cmp(a, a) === 0 && cmp(a, b) === (-cmp(b, a) || 0)),
      { numRuns: 500 },
    );
  });

  it('reproduces the cycles maven-artifact 3.9.6 itself has', () => {
    expect([cmp('0-1.1', '0'), cmp('0', '0.snapshot.1'), cmp('0.snapshot.1', '0-1.1')]).toEqual([1, 1, 1]);
    expect([cmp('01.1.a-0', '1.1-alpha'), cmp('1.1-alpha', '1.1.0'), cmp('1.1.0', '01.1.a-0')]).toEqual([-1, -1, -1]);
  });
});

import * as path from 'node:path';
import fc from 'fast-check';
import { compareVersions, parseVersion, satisfies } from '../src';
import { arbitraryFor, pick } from '../src/test-arbitraries';
import { OSV_DATA_DIR, oraclePairs, osvVersions, run, seededRandom, symbol } from './oracle';

// Reads {valid, pairs, specs} as JSON on stdin and answers with packaging's verdicts.
const PACKAGING_ORACLE = `
import json, sys
import packaging
from packaging.version import Version, InvalidVersion
from packaging.specifiers import SpecifierSet
job = json.load(sys.stdin)
def valid(v):
    try:
        Version(v)
        return True
    except InvalidVersion:
        return False
def cmp(a, b):
    a, b = Version(a), Version(b)
    return -1 if a < b else (1 if a > b else 0)
out = {
    "version": packaging.__version__,
    "valid": [valid(v) for v in job["valid"]],
    "normalized": [str(Version(v)) if valid(v) else None for v in job["valid"]],
    "pairs": [cmp(a, b) for a, b in job["pairs"]],
    "specs": [[SpecifierSet(s).contains(v, prereleases=True), SpecifierSet(s).contains(v)] for v, s in job["specs"]],
}
json.dump(out, sys.stdout)
`;

function findPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    if (run(candidate, ['-c', 'import packaging.version, packaging.specifiers']).status === 0) return candidate;
  }
  return null;
}

const python = findPython();

const SPECIFIERS = [
  '>=1.0',
  '<2.0',
  '>1.0',
  '<=1.0.post1',
  '==1.0',
  '==1.*',
  '!=1.0.*',
  '~=1.0',
  '~=1.0.1',
  '>=1.0a1,<2',
  '>1.0.post1',
  '<1.0rc1',
  '==1.0+local.1',
  '>=0.9, !=1.0, <3',
  '===1.0',
  '~=2.0.0.dev1',
  '<1!1.0',
];

function isPep440(v: string): boolean {
  try {
    parseVersion('PyPI', v);
    return true;
  } catch {
    return false;
  }
}

(python ? describe : describe.skip)(`PyPI ordering against packaging (${python ?? 'no python with packaging'})`, () => {
  it('agrees on validity, normal form, ordering and specifier membership', () => {
    const corpus = osvVersions(path.join(OSV_DATA_DIR, 'pypi.osv.jsonl'));
    const generated = arbitraryFor('PyPI');
    const junk = fc.sample(fc.tuple(generated, pick('', '..', '-', '+', '_x', ' ', 'post-', 'v', '!')).map(([v, s]) => `${v}${s}`), {
      seed: 11,
      numRuns: 300,
    });
    const candidates = [...corpus.slice(0, 3000), ...fc.sample(generated, { seed: 12, numRuns: 500 }), ...junk];
    const real = corpus.filter(isPep440);
    const pairs = oraclePairs(real, generated, 3000, 13);
    const random = seededRandom(14);
    const specVersions = [...real.slice(0, 400), ...fc.sample(generated, { seed: 15, numRuns: 400 })];
    const specs = specVersions.map((v) => [v, SPECIFIERS[Math.floor(random() * SPECIFIERS.length)] as string] as [string, string]);
    // Arbitrary equality compares the candidate as written.
    for (const v of ['1.0', 'v1.0', ' 1.0', '1.0.0', 'V1.0', '1.0+LOCAL', '1.0+local']) {
      specs.push([v, '===1.0'], [v, '===1.0+local']);
    }

    const result = run(python as string, ['-c', PACKAGING_ORACLE], JSON.stringify({ valid: candidates, pairs, specs }));
    expect(result.stderr).toBe('');
    const oracle = JSON.parse(result.stdout) as {
      version: string;
      valid: boolean[];
      normalized: Array<string | null>;
      pairs: number[];
      specs: Array<[boolean, boolean]>;
    };

    const validity = candidates
      .map((v, i) => ({ v, packaging: oracle.valid[i], ours: isPep440(v) }))
      .filter((d) => d.packaging !== d.ours);
    const normalForms = candidates
      .map((v, i) => ({ v, packaging: oracle.normalized[i], ours: isPep440(v) ? parseVersion('PyPI', v).normalized : null }))
      .filter((d) => d.packaging !== d.ours);
    const ordering = pairs
      .map(([a, b], i) => ({ pair: `${a} ? ${b}`, packaging: symbol(oracle.pairs[i] as number), ours: symbol(compareVersions('PyPI', a, b)) }))
      .filter((d) => d.packaging !== d.ours);
    // The default (no includePrerelease) is compared only with packaging 26+, whose contains()
    // admits a lone pre-release; older releases applied the resolver rule there.
    const major = Number(oracle.version.split('.')[0]);
    // Before packaging 26, === compared the normal form (v1.0 matched ===1.0); only 26+ is the reference.
    const membership = specs
      .map(([v, s], i) => ({ v, s, i }))
      .filter(({ s }) => major >= 26 || !s.startsWith('==='))
      .map(({ v, s, i }) => {
        const [withPre, byDefault] = oracle.specs[i] as [boolean, boolean];
        return {
          check: `${v} in "${s}"`,
          packaging: major >= 26 ? [withPre, byDefault] : [withPre],
          ours: major >= 26 ? [satisfies('PyPI', v, s, { includePrerelease: true }), satisfies('PyPI', v, s)] : [satisfies('PyPI', v, s, { includePrerelease: true })],
        };
      })
      .filter((d) => JSON.stringify(d.packaging) !== JSON.stringify(d.ours));

    console.log(
      `packaging ${oracle.version} oracle: ${candidates.length} strings, ${pairs.length} pairs, ${specs.length} specifier checks; ` +
        `disagreements: validity ${validity.length}, normal form ${normalForms.length}, order ${ordering.length}, membership ${membership.length}`,
    );
    expect({ validity, normalForms, ordering, membership }).toEqual({ validity: [], normalForms: [], ordering: [], membership: [] });
  });
});

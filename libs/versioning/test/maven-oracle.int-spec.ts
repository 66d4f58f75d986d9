import * as path from 'node:path';
import fc from 'fast-check';
import { compareVersions, parseVersion } from '../src';
import { arbitraryFor, pick } from '../src/test-arbitraries';
import { OSV_DATA_DIR, commandWorks, findMavenArtifactJar, oraclePairs, osvVersions, run, symbol } from './oracle';

const jar = findMavenArtifactJar();
const hasJava = jar !== null && commandWorks('java', ['-version']);

// Anything Maven accepts that starts with a digit, including shapes real POMs never use.
const wild = fc
  .array(
    fc.tuple(
      pick('.', '-', ''),
      pick('1', '0', '2', '10', '00', '12345678901', 'alpha', 'a', 'beta', 'b', 'm', 'rc', 'cr', 'snapshot', 'ga', 'final', 'release', 'sp', 'xyz', 'RC'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.map(([sep, tok], i) => (i === 0 ? tok : sep + tok)).join(''))
  .filter((v) => /^[0-9]/.test(v));

function isMaven(v: string): boolean {
  try {
    parseVersion('Maven', v);
    return true;
  } catch {
    return false;
  }
}

/**
 * ComparableVersion's main() compares each argument with the next one and prints
 * "   <prev> <op> <next>"; passing a1 b1 a2 b2 ... makes every other line one of our pairs.
 */
function mavenCompare(pairs: Array<[string, string]>): string[] {
  const result = run('java', ['-cp', jar as string, 'org.apache.maven.artifact.versioning.ComparableVersion', ...pairs.flat()]);
  expect(result.status).toBe(0);
  const comparisons = result.stdout.split('\n').filter((l) => l.startsWith('   '));
  expect(comparisons).toHaveLength(pairs.length * 2 - 1);
  return comparisons
    .filter((_, i) => i % 2 === 0)
    .map((line) => {
      const op = line.trim().split(' ')[1];
      return op === '==' ? '=' : (op as string);
    });
}

(hasJava ? describe : describe.skip)(`Maven ordering against ComparableVersion (${jar ? path.basename(jar) : 'no jar'})`, () => {
  it('agrees on real versions from the Maven OSV corpus and on generated versions', () => {
    const real = osvVersions(path.join(OSV_DATA_DIR, 'maven.osv.jsonl')).filter(isMaven);
    const pairs = [
      ...oraclePairs(real, arbitraryFor('Maven'), 2000, 4242),
      ...oraclePairs([], wild, 1500, 4343),
    ];
    const oracle = mavenCompare(pairs);
    const disagreements = pairs
      .map(([a, b], i) => ({ pair: `${a} ? ${b}`, maven: oracle[i], ours: symbol(compareVersions('Maven', a, b)) }))
      .filter((d) => d.maven !== d.ours);
    console.log(`maven oracle: ${pairs.length} pairs (${real.length} distinct real versions), ${disagreements.length} disagreements`);
    expect(disagreements).toEqual([]);
  });
});

import * as path from 'node:path';
import { compareVersions, parseVersion } from '../src';
import { arbitraryFor } from '../src/test-arbitraries';
import { OSV_DATA_DIR, commandWorks, oraclePairs, osvVersions, run, symbol } from './oracle';

// dpkg itself decides every pair; the batch runs in one shell so 4000 pairs cost one process tree.
const DPKG_BATCH = `
while IFS="$(printf '\\t')" read -r a b; do
  if dpkg --compare-versions "$a" lt "$b"; then echo '<';
  elif dpkg --compare-versions "$a" eq "$b"; then echo '=';
  else echo '>'; fi
done`;

const hasDpkg = commandWorks('dpkg', ['--version']);

(hasDpkg ? describe : describe.skip)('Debian ordering against dpkg --compare-versions', () => {
  it('agrees on real versions from the Debian OSV corpus and on generated versions', () => {
    const real = osvVersions(path.join(OSV_DATA_DIR, 'debian.osv.jsonl')).filter((v) => {
      try {
        parseVersion('Debian', v);
        return true;
      } catch {
        return false;
      }
    });
    const pairs = oraclePairs(real, arbitraryFor('Debian'), 4000, 20240611);
    const result = run('sh', ['-c', DPKG_BATCH], pairs.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n');
    expect(result.status).toBe(0);
    const oracle = result.stdout.trim().split('\n');
    expect(oracle).toHaveLength(pairs.length);
    const disagreements = pairs
      .map(([a, b], i) => ({ pair: `${a} ? ${b}`, dpkg: oracle[i], ours: symbol(compareVersions('Debian', a, b)) }))
      .filter((d) => d.dpkg !== d.ours);
    console.log(`dpkg oracle: ${pairs.length} pairs (${real.length} distinct real versions), ${disagreements.length} disagreements`);
    expect(disagreements).toEqual([]);
  });
});

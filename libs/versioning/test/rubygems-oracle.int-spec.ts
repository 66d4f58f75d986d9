import * as path from 'node:path';
import fc from 'fast-check';
import { compareVersions, parseVersion, satisfies } from '../src';
import { arbitraryFor, pick } from '../src/test-arbitraries';
import { OSV_DATA_DIR, commandWorks, oraclePairs, osvFiles, osvVersions, run, seededRandom, symbol } from './oracle';

// Reads {valid, pairs, requirements} as JSON on stdin and answers with RubyGems' verdicts.
const RUBYGEMS_ORACLE = `
require "json"
job = JSON.parse($stdin.read)
out = {
  "version" => Gem::VERSION,
  "valid" => job["valid"].map { |v| Gem::Version.correct?(v) ? true : false },
  "pairs" => job["pairs"].map { |a, b| Gem::Version.new(a) <=> Gem::Version.new(b) },
  "requirements" => job["requirements"].map { |v, r| Gem::Requirement.new(*r.split(",")).satisfied_by?(Gem::Version.new(v)) },
}
$stdout.write(JSON.generate(out))
`;

const REQUIREMENTS = ['~> 1.0', '~> 1.0.1', '~> 1.0.a', '>= 1.0, < 2', '!= 1.0', '> 1.0.a', '<= 1.1', '= 1.0', '~> 0', '~> 2.2.0', '1.0'];

function isGem(v: string): boolean {
  try {
    parseVersion('RubyGems', v);
    return true;
  } catch {
    return false;
  }
}

const hasRuby = commandWorks('ruby', ['-e', 'exit 0']);

(hasRuby ? describe : describe.skip)('RubyGems ordering against Gem::Version (ruby)', () => {
  it('agrees on validity, ordering and requirement membership', () => {
    // The corpus has few RubyGems entries; Maven versions add realistic dotted shapes with qualifiers.
    const real = [
      ...osvFiles().flatMap((f) => osvVersions(f, 'RubyGems')),
      ...osvVersions(path.join(OSV_DATA_DIR, 'maven.osv.jsonl')),
    ]
      .filter(isGem)
      .slice(0, 1500);
    const generated = arbitraryFor('RubyGems');
    const junk = fc.sample(fc.tuple(generated, pick('', '..', '-', '_x', '.', '+1', ' a')).map(([v, s]) => `${v}${s}`), {
      seed: 21,
      numRuns: 300,
    });
    // Blank strings are "0" to Ruby but refused here on purpose; control characters never reach parsing.
    const candidates = [...real.slice(0, 500), ...fc.sample(generated, { seed: 22, numRuns: 500 }), ...junk].filter((v) => v.trim() !== '');
    const pairs = oraclePairs(real, generated, 3000, 23);
    const random = seededRandom(24);
    const requirementVersions = fc.sample(generated, { seed: 25, numRuns: 800 });
    const requirements = requirementVersions.map(
      (v) => [v, REQUIREMENTS[Math.floor(random() * REQUIREMENTS.length)] as string] as [string, string],
    );

    const result = run('ruby', ['-e', RUBYGEMS_ORACLE], JSON.stringify({ valid: candidates, pairs, requirements }));
    expect(result.stderr).toBe('');
    const oracle = JSON.parse(result.stdout) as { version: string; valid: boolean[]; pairs: number[]; requirements: boolean[] };

    const validity = candidates.map((v, i) => ({ v, ruby: oracle.valid[i], ours: isGem(v) })).filter((d) => d.ruby !== d.ours);
    const ordering = pairs
      .map(([a, b], i) => ({ pair: `${a} ? ${b}`, ruby: symbol(oracle.pairs[i] as number), ours: symbol(compareVersions('RubyGems', a, b)) }))
      .filter((d) => d.ruby !== d.ours);
    const membership = requirements
      .map(([v, r], i) => ({ check: `${v} satisfies "${r}"`, ruby: oracle.requirements[i], ours: satisfies('RubyGems', v, r) }))
      .filter((d) => d.ruby !== d.ours);
    console.log(
      `RubyGems ${oracle.version} oracle: ${candidates.length} strings, ${pairs.length} pairs, ${requirements.length} requirement checks; ` +
        `disagreements: validity ${validity.length}, order ${ordering.length}, membership ${membership.length}`,
    );
    expect({ validity, ordering, membership }).toEqual({ validity: [], ordering: [], membership: [] });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compareVersions } from '../src';
import { arbitraryFor } from '../src/test-arbitraries';
import { commandWorks, oraclePairs, run, symbol } from './oracle';

// rpm's embedded Lua exposes rpm.vercmp (EVR-aware, as rpm 4.18 compares package versions).
const LUA = (file: string): string =>
  `%{lua: for line in io.lines("${file}") do local a, b = line:match("^(.-)\\t(.*)$"); print(rpm.vercmp(a, b) .. "\\n") end}`;

// EVRs as they appear in RHEL/Rocky/Alma/SUSE repositories.
const REAL_EVRS = [
  '1.1.1k-9.el8_7',
  '1:1.1.1k-9.el8_7',
  '1:1.1.1k-12.el8_9',
  '3.0.7-25.el9_3',
  '1:3.0.7-27.el9',
  '2.28-225.el8',
  '2.28-236.el8_9.13',
  '7.61.1-30.el8_8.3',
  '7.76.1-26.el9_3.2',
  '0:4.18.0-513.5.1.el8_9',
  '5.14.0-362.8.1.el9_3',
  '1.2.11-40.el9',
  '1.2.13-150500.4.3.1',
  '2.9.14-150400.5.25.1',
  '115.5.0-1.el9_3',
  '1.0~rc1-1',
  '1.0-1',
  '1.0^git20230101.abc123-1',
  '2.0.0~beta2-0.1',
  '10.0.0-1.fc39',
  '9.0.0^20230101git1234-2.fc39',
];

const hasRpm = commandWorks('rpm', ['--version']);

(hasRpm ? describe : describe.skip)('RPM ordering against rpm.vercmp (rpm 4.18 Lua)', () => {
  it('agrees on real-world EVRs and generated ones', () => {
    const pairs = oraclePairs(REAL_EVRS, arbitraryFor('Red Hat'), 3000, 7001);
    const dir = mkdtempSync(path.join(tmpdir(), 'stella-versioning-rpm-'));
    try {
      const file = path.join(dir, 'pairs.tsv');
      writeFileSync(file, pairs.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n');
      const result = run('rpm', ['--eval', LUA(file)]);
      expect(result.status).toBe(0);
      const oracle = result.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => symbol(Number(l)));
      expect(oracle).toHaveLength(pairs.length);
      const disagreements = pairs
        .map(([a, b], i) => ({ pair: `${a} ? ${b}`, rpm: oracle[i], ours: symbol(compareVersions('Red Hat', a, b)) }))
        .filter((d) => d.rpm !== d.ours);
      console.log(`rpm oracle: ${pairs.length} pairs, ${disagreements.length} disagreements`);
      expect(disagreements).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

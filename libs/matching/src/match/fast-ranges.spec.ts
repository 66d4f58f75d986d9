// The fast path re-implements the OSV evaluation on parsed versions, so it is checked against the
// reference (@stella/versioning's compileAffected) on every real entry it covers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileAffected } from '@stella/versioning';
import { SHARED_DATA } from '../__fixtures__/fixtures';
import type { AffectedPackage } from '../model';
import { readSourceText } from '../sources/read-source';
import { compileFast, evaluateFast, parseOrNull } from './fast-ranges';

jest.setTimeout(120_000);

const FILES = [
  'npm.osv.jsonl',
  'maven.osv.jsonl',
  'go.osv.jsonl',
  'crates.io.osv.jsonl',
  'pypi.osv.jsonl',
  'debian.osv.jsonl',
];

describe('fast range evaluation agrees with @stella/versioning on the real corpus', () => {
  it.each(FILES)('%s', async (file) => {
    const text = await readFile(join(SHARED_DATA, 'advisories/osv', file), 'utf8');
    const entries: AffectedPackage[] = [];
    for (const record of readSourceText('osv', file, text).records)
      if (record.content.kind === 'advisory') entries.push(...record.content.advisory.affected);
    let compared = 0;
    let covered = 0;
    const disagreements: string[] = [];
    for (const [n, entry] of entries.entries()) {
      if (n % 3 !== 0) continue; // a third of the entries keeps the test quick; every ecosystem is covered
      const fast = compileFast(entry);
      if (!fast) continue;
      covered++;
      const reference = compileAffected(entry.ecosystem, entry.osv!);
      const events = (entry.osv!.ranges ?? []).flatMap((r) =>
        r.events.flatMap((e) =>
          Object.values(e).filter((v): v is string => typeof v === 'string' && v !== '0'),
        ),
      );
      const candidates = new Set([...events, ...(entry.osv!.versions ?? []).slice(0, 20)]);
      for (const version of candidates) {
        const parsed = parseOrNull(entry.ecosystem, version);
        if (!parsed) continue;
        const expected = reference.evaluate(version);
        if ('unknown' in expected) continue;
        compared++;
        if (evaluateFast(fast, version, parsed) !== expected.affected)
          disagreements.push(`${entry.ecosystem} ${entry.name} ${version}`);
      }
    }
    expect(covered).toBeGreaterThan(20);
    expect(compared).toBeGreaterThan(100);
    expect(disagreements).toEqual([]);
  });
});

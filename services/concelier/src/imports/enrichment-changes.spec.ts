import type { EpssScore, KevEntry } from '@stella/matching';
import { enrichmentChanges, partition, PART_LIMIT, type EnrichmentContent } from './enrichment-changes';

const kevEntry = (cveId: string, dueDate = '2024-01-01'): KevEntry => ({
  cveId,
  vendorProject: 'v',
  product: 'p',
  vulnerabilityName: 'n',
  dateAdded: '2023-12-01',
  dueDate,
  requiredAction: 'patch',
  knownRansomwareCampaignUse: 'Unknown',
});
const kev = (...entries: KevEntry[]): EnrichmentContent => ({
  kind: 'kev',
  catalogVersion: '1',
  dateReleased: '2024-01-01',
  entries,
});
const epss = (...scores: Array<[string, number]>): EnrichmentContent => ({
  kind: 'epss',
  modelVersion: 'v2023.03.01',
  scoreDate: '2024-01-01',
  scores: scores.map(([cveId, value]): EpssScore => ({
    cveId,
    epss: value,
    percentile: 0.5,
    modelVersion: 'v',
    scoreDate: 'd',
  })),
});

describe('enrichmentChanges', () => {
  it('lists added, changed and removed KEV entries by CVE, sorted', () => {
    expect(
      enrichmentChanges(
        kev(kevEntry('CVE-2023-0002'), kevEntry('CVE-2023-0001'), kevEntry('CVE-2023-0003')),
        kev(kevEntry('CVE-2023-0001'), kevEntry('CVE-2023-0002', '2024-02-01'), kevEntry('CVE-2023-0004')),
      ),
    ).toEqual([
      { cveId: 'CVE-2023-0002', change: 'changed' },
      { cveId: 'CVE-2023-0003', change: 'removed' },
      { cveId: 'CVE-2023-0004', change: 'added' },
    ]);
  });

  it('treats every score of a first EPSS file as added, and a moved score as changed', () => {
    expect(enrichmentChanges(null, epss(['CVE-2023-0001', 0.1]))).toEqual([
      { cveId: 'CVE-2023-0001', change: 'added' },
    ]);
    expect(
      enrichmentChanges(
        epss(['CVE-2023-0001', 0.1], ['CVE-2023-0002', 0.2]),
        epss(['CVE-2023-0001', 0.1], ['CVE-2023-0002', 0.3]),
      ),
    ).toEqual([{ cveId: 'CVE-2023-0002', change: 'changed' }]);
  });
});

describe('partition', () => {
  const hit = (ids: string[], keys: string[]) => ({ advisoryIds: new Set(ids), packageKeys: new Set(keys) });

  it('keeps only changes that name stored advisories, counting the rest, and always yields one part', () => {
    const affected = new Map([['CVE-2023-0001', hit(['GHSA-1', 'DSA-1'], ['npm|a', 'debian:12|b'])]]);
    expect(
      partition(
        [
          { cveId: 'CVE-2023-0001', change: 'added' },
          { cveId: 'CVE-2023-0009', change: 'added' },
        ],
        affected,
      ),
    ).toEqual({
      parts: [
        {
          changes: [{ cveId: 'CVE-2023-0001', change: 'added' }],
          advisoryIds: ['DSA-1', 'GHSA-1'],
          packageKeys: ['debian:12|b', 'npm|a'],
        },
      ],
      unmatched: 1,
    });
    expect(partition([{ cveId: 'CVE-2023-0009', change: 'removed' }], new Map())).toEqual({
      parts: [{ changes: [], advisoryIds: [], packageKeys: [] }],
      unmatched: 1,
    });
  });

  it('splits so that no part holds more than the limit of changes, advisory ids or package keys', () => {
    const changes = Array.from({ length: 1500 }, (_, i) => ({
      cveId: `CVE-2023-${String(10000 + i)}`,
      change: 'changed' as const,
    }));
    const affected = new Map(
      changes.map((c, i) => [c.cveId, hit([`GHSA-${i}`], [`npm|p${i}`, 'npm|shared'])]),
    );
    const { parts } = partition(changes, affected);
    expect(parts.length).toBe(2);
    for (const part of parts) {
      expect(part.changes.length).toBeLessThanOrEqual(PART_LIMIT);
      expect(part.advisoryIds.length).toBeLessThanOrEqual(PART_LIMIT);
      expect(part.packageKeys.length).toBeLessThanOrEqual(PART_LIMIT);
    }
    expect(parts.flatMap((p) => p.changes)).toEqual(changes);
  });
});

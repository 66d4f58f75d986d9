// The acceptance check, on the real development data in ../shared/data. About 20 % of the
// records and every record of a few packages were withheld from that data for an independent
// check: lodash has no GHSA record there (only the legacy Node.js security WG advisories),
// log4j-core has no OSV/GHSA record (Apache Logging's own CycloneDX VDR covers it), and Maven
// jackson-databind has no record at all (Debian's advisories for its jackson-databind source
// package, which ships upstream 2.9.8 in buster, are the nearest real case). The test asserts on
// what is present and proves the absent ones are absent (so a later data refresh makes it fail
// loudly, not pass silently).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHARED_DATA } from '../__fixtures__/fixtures';
import { loadAdvisoryPath } from '../sources/load-path';
import { readSourceFile } from '../sources/read-source';
import { AdvisoryIndex } from './advisory-index';

jest.setTimeout(60_000);

describe('done means: real advisories, real packages, expected findings', () => {
  let index: AdvisoryIndex;
  beforeAll(async () => {
    const loaded = await loadAdvisoryPath(join(SHARED_DATA, 'advisories'));
    expect(loaded.records.length).toBeGreaterThan(20_000);
    const vdr = await readSourceFile(
      'auto',
      'vdr.xml',
      await readFile(join(SHARED_DATA, 'vex/cyclonedx/apache-logging/vdr.xml')),
    );
    index = AdvisoryIndex.fromRecords([...loaded.records, ...vdr.records]);
  });

  const match = (purl: string) =>
    index
      .match([{ purl, name: purl }])
      .findings.map((f) => ({ id: f.advisoryId, aliases: f.aliases, fixedIn: f.fixedIn }));
  const matchBySource = (purl: string) =>
    index.match([{ purl, name: purl }]).findings.map((f) => `${f.source}:${f.advisoryId} -> ${f.fixedIn}`);

  it('lodash 4.17.15: the prototype-pollution advisory fixed in 4.17.19 (older lodash advisories fixed before it do not match)', () => {
    expect(match('pkg:npm/lodash@4.17.15')).toEqual([
      { id: 'NSWG-ECO-516', aliases: [], fixedIn: '4.17.19' },
    ]);
    expect(match('pkg:npm/lodash@4.17.4').map((f) => [f.id, f.fixedIn])).toEqual([
      ['NSWG-ECO-493', '4.17.11'],
      ['NSWG-ECO-368', '4.17.5'],
    ]);
  });

  it("log4j-core 2.14.1: Log4Shell and its follow-ups from Apache Logging's VDR, each with the fix for its branch", () => {
    expect(matchBySource('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toEqual([
      'cyclonedx-vdr:CVE-2021-44228 -> 2.15.0',
      'cyclonedx-vdr:CVE-2021-45046 -> 2.16.0',
      'cyclonedx-vdr:CVE-2021-44832 -> 2.17.0',
      'cyclonedx-vdr:CVE-2021-45105 -> 2.17.0',
      'cyclonedx-vdr:CVE-2025-68161 -> 2.25.3',
      'cyclonedx-vdr:CVE-2026-34477 -> 2.25.4',
      'cyclonedx-vdr:CVE-2026-34480 -> 2.25.4',
    ]);
    // The Java 7 branch: 2.12.1 is fixed by 2.12.2 for Log4Shell.
    expect(
      match('pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1').find((f) => f.id === 'CVE-2021-44228')
        ?.fixedIn,
    ).toBe('2.12.2');
  });

  it('jackson-databind 2.9.8: no Maven record in the data; the Debian buster package of the same upstream version gets DLA-3207-1', () => {
    expect(match('pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8')).toEqual([]);
    expect(
      matchBySource(
        'pkg:deb/debian/libjackson2-databind-java@2.9.8-3?distro=debian-10&upstream=jackson-databind',
      ),
    ).toEqual(['debian-list:DLA-3207-1 -> 2.9.8-3+deb10u4', 'osv:DLA-3207-1 -> 2.9.8-3+deb10u4']);
  });

  it('netty-codec-http 4.1.50.Final: GHSA advisories with their fixed versions', () => {
    expect(match('pkg:maven/io.netty/netty-codec-http@4.1.50.Final')).toEqual([
      { id: 'GHSA-5jpm-x58v-624v', aliases: ['CVE-2024-29025'], fixedIn: '4.1.108.Final' },
      {
        id: 'GHSA-5mcr-gq6c-3hq2',
        aliases: ['CVE-2021-21290', 'CVE-2022-24823', 'GHSA-269q-hmxg-m83q'],
        fixedIn: '4.1.59.Final',
      },
    ]);
  });

  it('openssl on bookworm: DSA-5532-1 fixed in 3.0.11-1~deb12u2, and nothing once fixed', () => {
    const before = match('pkg:deb/debian/openssl@3.0.9-1?distro=debian-12');
    expect(before).toContainEqual({
      id: 'DSA-5532-1',
      aliases: ['CVE-2023-5363'],
      fixedIn: '3.0.11-1~deb12u2',
    });
    expect(match('pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12').map((f) => f.id)).not.toContain(
      'DSA-5532-1',
    );
  });
});

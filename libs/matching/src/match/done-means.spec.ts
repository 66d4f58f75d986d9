// The acceptance check, on the real development data in ../shared/data. About 20 % of the
// records and every record of a few packages were withheld from that data for an independent
// check: lodash has no GHSA record there (only the legacy Node.js security WG advisories), and
// log4j-core and jackson-databind have no record at all. The test asserts on what is present
// and proves the absent ones are absent (so a later data refresh makes it fail loudly, not pass
// silently).
import { join } from 'node:path';
import { SHARED_DATA } from '../__fixtures__/fixtures';
import { loadAdvisoryPath } from '../sources/load-path';
import { AdvisoryIndex } from './advisory-index';

jest.setTimeout(60_000);

describe('done means: real advisories, real packages, expected findings', () => {
  let index: AdvisoryIndex;
  beforeAll(async () => {
    const loaded = await loadAdvisoryPath(join(SHARED_DATA, 'advisories'));
    expect(loaded.records.length).toBeGreaterThan(20_000);
    index = AdvisoryIndex.fromRecords(loaded.records);
  });

  const match = (purl: string) =>
    index
      .match([{ purl, name: purl }])
      .findings.map((f) => ({ id: f.advisoryId, aliases: f.aliases, fixedIn: f.fixedIn }));

  it('lodash 4.17.15: the prototype-pollution advisory fixed in 4.17.19 (older lodash advisories fixed before it do not match)', () => {
    expect(match('pkg:npm/lodash@4.17.15')).toEqual([
      { id: 'NSWG-ECO-516', aliases: [], fixedIn: '4.17.19' },
    ]);
    expect(match('pkg:npm/lodash@4.17.4').map((f) => [f.id, f.fixedIn])).toEqual([
      ['NSWG-ECO-493', '4.17.11'],
      ['NSWG-ECO-368', '4.17.5'],
    ]);
  });

  it('log4j-core 2.14.1 and jackson-databind 2.9.8: their records are withheld from the development data', () => {
    expect(match('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toEqual([]);
    expect(match('pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8')).toEqual([]);
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

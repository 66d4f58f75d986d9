import { readSourceText } from '../sources/read-source';
import { DEBIAN_TRACKER, EPSS_CSV, KEV_CATALOGUE, NVD_RESPONSE } from '../__fixtures__/fixtures';
import { cycloneDxComponents } from '../sbom/cyclonedx';
import { toSarif } from '../report/sarif';
import { AdvisoryIndex } from './advisory-index';
import type { SourceRecord } from '../model';

const osvLine = (record: Record<string, unknown>) =>
  JSON.stringify({ modified: '2024-01-01T00:00:00Z', ...record });

function records(): SourceRecord[] {
  const osv = readSourceText(
    'osv',
    'feed.jsonl',
    [
      osvLine({
        id: 'GHSA-jfh8-c2jp-5v3q',
        aliases: ['CVE-2021-44228'],
        summary: 'Remote code injection in Log4j',
        database_specific: { severity: 'CRITICAL', cwe_ids: ['CWE-502'] },
        affected: [
          {
            package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
            ranges: [
              {
                type: 'ECOSYSTEM',
                events: [
                  { introduced: '2.13.0' },
                  { fixed: '2.15.0' },
                  { introduced: '2.0-beta9' },
                  { fixed: '2.3.1' },
                  { introduced: '2.4' },
                  { fixed: '2.12.2' },
                ],
              },
            ],
          },
        ],
      }),
      osvLine({
        id: 'PYSEC-2024-10',
        withdrawn: '2024-02-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'Django' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          },
        ],
      }),
      osvLine({
        id: 'PYSEC-2024-11',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'Foo_Bar' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
          },
        ],
      }),
      osvLine({
        id: 'DSA-9999-1',
        upstream: ['CVE-2023-5363'],
        affected: [
          {
            package: { ecosystem: 'Debian:11', name: 'openssl' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u1' }] }],
          },
          {
            package: { ecosystem: 'Debian:12', name: 'openssl' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
          },
        ],
      }),
    ].join('\n'),
  );
  expect(osv.issues).toEqual([]);
  return [
    ...osv.records,
    ...readSourceText('nvd', 'nvd.json', NVD_RESPONSE).records,
    ...readSourceText('kev', 'kev.json', KEV_CATALOGUE).records,
    ...readSourceText('epss', 'epss.csv', EPSS_CSV).records,
    ...readSourceText('debian', 'tracker.json', DEBIAN_TRACKER).records,
  ];
}

describe('AdvisoryIndex', () => {
  const index = AdvisoryIndex.fromRecords(records());

  it('matches a Maven component with fixed version, severity from CVSS (NVD via alias), KEV and EPSS', () => {
    const report = index.match([
      { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', name: 'log4j-core' },
    ]);
    expect(report.findings).toHaveLength(1);
    const finding = report.findings[0]!;
    expect(finding).toMatchObject({
      advisoryId: 'GHSA-jfh8-c2jp-5v3q',
      source: 'osv',
      aliases: ['CVE-2021-44228'],
      fixedVersions: ['2.3.1', '2.12.2', '2.15.0'],
      fixedIn: '2.15.0',
      severity: { level: 'CRITICAL', score: 10, basis: 'CVSS:3.1' },
      kev: { cveId: 'CVE-2021-44228', knownRansomwareCampaignUse: 'Known' },
      epss: { cveId: 'CVE-2021-44228', epss: 0.97565 },
      cwes: ['CWE-502'],
      matchedBy: { ecosystem: 'Maven', package: 'org.apache.logging.log4j:log4j-core', rule: 'osv' },
    });
    expect(finding.cvss.map((c) => c.source)).toEqual(['nvd@nist.gov', 'nvd@nist.gov']);
  });

  it('picks the fix of the interval the version is in', () => {
    const report = index.match([
      { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.5', name: 'log4j-core' },
    ]);
    expect(report.findings[0]).toMatchObject({ fixedIn: '2.12.2' });
    expect(
      index.match([{ purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0', name: 'x' }]).findings,
    ).toEqual([]);
  });

  it('matches a Debian binary by its distro release only, from OSV and from the tracker', () => {
    const bookworm = index.match([
      { purl: 'pkg:deb/debian/openssl@3.0.9-1?arch=amd64&distro=debian-12', name: 'openssl' },
    ]);
    // Ranked by severity (the tracker's urgency "low" beats no severity at all), then by id.
    expect(
      bookworm.findings.map((f) => [f.advisoryId, f.component.ecosystem, f.fixedIn, f.kev?.cveId]),
    ).toEqual([
      ['DEBIAN-CVE-2024-0727', 'Debian:12', null, undefined],
      ['DEBIAN-CVE-2023-5363', 'Debian:12', '3.0.11-1~deb12u2', 'CVE-2023-5363'],
      ['DSA-9999-1', 'Debian:12', '3.0.11-1~deb12u2', 'CVE-2023-5363'],
    ]);
    const open = bookworm.findings.find((f) => f.advisoryId === 'DEBIAN-CVE-2024-0727')!;
    expect(open.severity).toEqual({ level: 'LOW', score: null, basis: 'distro-urgency' });
    const bullseye = index.match([
      { purl: 'pkg:deb/debian/openssl@1.1.1n-0+deb11u5?distro=bullseye', name: 'openssl' },
    ]);
    expect(bullseye.findings.map((f) => [f.advisoryId, f.fixedIn])).toEqual([
      ['DSA-9999-1', '1.1.1w-0+deb11u1'],
    ]);
    expect(
      index
        .match([{ purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12', name: 'openssl' }])
        .findings.map((f) => f.advisoryId),
    ).toEqual(['DEBIAN-CVE-2024-0727']);
  });

  it('looks a binary package up by its source package (upstream qualifier)', () => {
    const report = index.match([
      { purl: 'pkg:deb/debian/libssl3@3.0.9-1?distro=debian-12&upstream=openssl', name: 'libssl3' },
    ]);
    expect(report.findings.map((f) => f.advisoryId)).toContain('DSA-9999-1');
  });

  it('normalises PyPI names and never matches withdrawn advisories', () => {
    const report = index.match([
      { purl: 'pkg:pypi/foo-bar@1.0', name: 'foo-bar' },
      { purl: 'pkg:pypi/django@4.0', name: 'django' },
    ]);
    expect(report.findings.map((f) => f.advisoryId)).toEqual(['PYSEC-2024-11']);
    expect(index.withdrawn).toBe(1);
  });

  it('reports components it cannot evaluate instead of failing', () => {
    const report = index.match([
      { purl: 'not-a-purl', name: 'x', bomRef: 'x' },
      { purl: 'pkg:deb/debian/openssl@3.0.9-1', name: 'openssl' },
      { purl: 'pkg:hackage/aeson@1.0', name: 'aeson' },
      { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@%20weird%20', name: 'weird' },
    ]);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      'INVALID_PURL',
      'UNKNOWN_ECOSYSTEM',
      'UNKNOWN_ECOSYSTEM',
    ]);
    expect(report.undetermined).toEqual([
      expect.objectContaining({ advisoryId: 'GHSA-jfh8-c2jp-5v3q', reason: 'UNPARSEABLE_VERSION' }),
    ]);
    expect(report.componentsEvaluated).toBe(1);
  });

  it('reads CycloneDX components (nested too) and writes SARIF', () => {
    const { components, skipped } = cycloneDxComponents({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        {
          type: 'library',
          name: 'log4j-core',
          version: '2.14.1',
          purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
          'bom-ref': 'log4j',
          components: [{ type: 'library', name: 'inner', purl: 'pkg:pypi/foo-bar@1.0' }],
        },
        { type: 'file', name: 'README' },
      ],
    });
    expect(components.map((c) => c.purl)).toEqual([
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      'pkg:pypi/foo-bar@1.0',
    ]);
    expect(skipped).toEqual([expect.objectContaining({ reason: 'NO_PURL', name: 'README' })]);
    const sarif = toSarif(index.match(components), { sbomUri: 'bom.json', toolVersion: '0.1.0' }) as {
      runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
    };
    expect(sarif.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['GHSA-jfh8-c2jp-5v3q', 'error'],
      ['PYSEC-2024-11', 'warning'],
    ]);
    expect(() => cycloneDxComponents({ bomFormat: 'SPDX' })).toThrow(/not a CycloneDX JSON SBOM/);
  });
});

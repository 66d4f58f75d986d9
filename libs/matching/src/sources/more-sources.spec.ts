// The connectors added for the raw Debian tracker lists, GitHub's advisory API format and
// CycloneDX VDRs, on the real files in ../shared/data (and one fixture written from GitHub's
// documented REST shape, filled with the real records of the shared GraphQL examples).
import { compileAffected, type OsvAffected } from '@stella/versioning';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SHARED_DATA } from '../__fixtures__/fixtures';
import { AdvisoryIndex } from '../match/advisory-index';
import { parseVers } from '../match/intervals';
import type { Advisory, SourceRecord } from '../model';
import { advisoryPackageKey } from '../purl';
import { detectSource, readSourceFile, readSourceText } from './read-source';

const advisoryOf = (record: SourceRecord): Advisory => {
  if (record.content.kind !== 'advisory') throw new Error('not an advisory');
  return record.content.advisory;
};
const errors = (issues: ReadonlyArray<{ level: string }>) => issues.filter((i) => i.level === 'error');

describe('Debian security tracker lists (data/DSA/list, data/DLA/list)', () => {
  const lists = [
    'advisories/debian/security-tracker/data/DSA/list',
    'advisories/debian/security-tracker/data/DLA/list',
    'advisories/debian/vuln-list-debian/DSA.list',
  ];

  it('reads every block of the real lists as an advisory linked to its CVEs, fixed version per release', async () => {
    const records: SourceRecord[] = [];
    for (const list of lists) {
      const bytes = await readFile(join(SHARED_DATA, list));
      const result = await readSourceFile('auto', list, bytes);
      expect(errors(result.issues)).toEqual([]);
      records.push(...result.records);
    }
    const headers = (
      await Promise.all(lists.map(async (l) => (await readFile(join(SHARED_DATA, l), 'utf8')).split('\n')))
    )
      .flat()
      .filter((line) => line.startsWith('['));
    expect(records).toHaveLength(headers.length);
    expect(new Set(records.map((r) => r.source))).toEqual(new Set(['debian-list']));

    const dsa = advisoryOf(records.find((r) => r.key === 'DSA-5532-1')!);
    expect(dsa).toMatchObject({
      id: 'DSA-5532-1',
      aliases: ['CVE-2023-5363'],
      summary: 'openssl - security update',
      published: '2023-10-24T00:00:00Z',
    });
    expect(dsa.affected).toEqual([
      expect.objectContaining({
        ecosystem: 'Debian:12',
        name: 'openssl',
        fixedVersions: ['3.0.11-1~deb12u2'],
      }),
    ]);
    // The record is the block exactly as the list writes it.
    expect(records.find((r) => r.key === 'DSA-5532-1')!.raw).toBe(
      '[24 Oct 2023] DSA-5532-1 openssl - security update\n\t{CVE-2023-5363}\n\t[bookworm] - openssl 3.0.11-1~deb12u2',
    );
  });

  it('agrees with the OSV conversion of the same lists (debian.osv.jsonl) on every advisory', async () => {
    const osv = await readSourceFile(
      'osv',
      'debian.osv.jsonl',
      await readFile(join(SHARED_DATA, 'advisories/osv/debian.osv.jsonl')),
    );
    const fromLists = new Map<string, Advisory>();
    for (const list of lists) {
      const result = await readSourceFile('auto', list, await readFile(join(SHARED_DATA, list)));
      for (const r of result.records) fromLists.set(r.key, advisoryOf(r));
    }
    let compared = 0;
    const merged: string[] = [];
    for (const record of osv.records) {
      const expected = advisoryOf(record);
      // The gathering step's converter glued a block whose header it could not read onto the block
      // before it (DSA-1724-1, whose header has no package, ended up inside DSA-1725-1). Such
      // records span two headers in their source lines; the list reader keeps them apart.
      const sourceLines: string[] = JSON.parse(record.raw).database_specific?.source_lines ?? [];
      if (sourceLines.filter((l) => l.startsWith('[')).length > 1) {
        merged.push(expected.id);
        continue;
      }
      const actual = fromLists.get(expected.id);
      expect(actual).toBeDefined();
      const shape = (a: Advisory) =>
        a.affected.map((e) => `${e.ecosystem}|${e.name}|${e.fixedVersions.join(',')}`).sort();
      expect([expected.id, shape(actual!)]).toEqual([expected.id, shape(expected)]);
      expect(new Set(actual!.aliases)).toEqual(new Set(expected.aliases));
      compared++;
    }
    expect(merged.length).toBeLessThan(10);
    expect(compared + merged.length).toBe(osv.records.length);
  });

  it('keeps <unfixed> releases affected without a fix, drops <not-affected>, names bad lines, refuses a bad header', () => {
    const body = [
      '[01 Jan 2020] DSA-9999-1 foo - security update',
      '\t{CVE-2020-0001}',
      '\t[buster] - foo <unfixed> (backport too complicated)',
      '\t[stretch] - foo <not-affected> (vulnerable code not present)',
      '[02 Jan 2020] DSA-9998-1 bar - security update',
      '\t{CVE-2020-0002}',
      '\tthis is not a release line',
      '[03 Jan 2020] DLA-9997-1 baz - security update',
      '\t[bullseye] - baz 1.0-1+deb11u1',
      '\t[hamm] - baz 0.9-1',
      '[99 Foo 2020] DSA-9996-1 qux - security update',
      '',
    ].join('\n');
    const result = readSourceText('debian-list', 'DSA/list', body);
    expect(result.records.map((r) => r.key)).toEqual(['DSA-9999-1', 'DSA-9998-1', 'DLA-9997-1']);
    const foo = advisoryOf(result.records[0]!);
    expect(foo.affected).toEqual([
      expect.objectContaining({ ecosystem: 'Debian:10', name: 'foo', fixedVersions: [] }),
    ]);
    // An unreadable body line is named and left out; the advisory keeps its CVE link.
    expect(advisoryOf(result.records[1]!)).toMatchObject({ aliases: ['CVE-2020-0002'], affected: [] });
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        code: 'SCHEMA_VIOLATION',
        document: 'DSA/list',
        record: 'DSA-9998-1',
        field: 'line 7',
      }),
    );
    expect(errors(result.issues)).toEqual([
      expect.objectContaining({
        code: 'SCHEMA_VIOLATION',
        document: 'DSA/list',
        record: 'DSA-9996-1',
        field: 'line 11 date',
      }),
    ]);
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        code: 'UNKNOWN_ECOSYSTEM',
        record: 'DLA-9997-1',
        field: 'line 10 release',
      }),
    );
  });

  it('refuses an oversized block without reading it', () => {
    const big = `[01 Jan 2020] DSA-1-1 foo - x\n\t{${Array.from({ length: 2000 }, (_, i) => `CVE-2020-${10000 + i}`).join(' ')}}`;
    const result = readSourceText('debian-list', 'list', big, { maxRecordBytes: 1024 });
    expect(result.records).toEqual([]);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'DOCUMENT_TOO_LARGE', document: 'list' }),
    ]);
  });
});

describe('GitHub advisory API format (REST /advisories and GraphQL)', () => {
  const dir = join(SHARED_DATA, 'advisories/osv-examples/ghsa-api-to-osv');

  it('reads the real GraphQL-shaped examples; ids, aliases, packages, fixes and withdrawal match the published OSV conversion', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.osv.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const result = await readSourceFile('auto', file, await readFile(join(dir, file)));
      expect([file, errors(result.issues)]).toEqual([file, []]);
      expect(result.records).toHaveLength(1);
      const actual = advisoryOf(result.records[0]!);
      const expected = JSON.parse(await readFile(join(dir, file.replace(/\.json$/, '.osv.json')), 'utf8'));
      expect(result.records[0]!.source).toBe('ghsa-api');
      expect(actual.id).toBe(expected.id);
      expect(actual.aliases).toEqual(expected.aliases ?? []);
      expect(actual.withdrawn).toBe(expected.withdrawn);
      const keys = (list: Array<{ ecosystem: string; name: string }>) =>
        [...new Set(list.map((a) => advisoryPackageKey(a.ecosystem, a.name).key))].sort();
      expect(keys(actual.affected as never)).toEqual(
        keys(expected.affected.map((a: { package: { ecosystem: string; name: string } }) => a.package)),
      );
      const fixedOsv = expected.affected.flatMap((a: OsvAffected) =>
        (a.ranges ?? []).flatMap((r) => r.events.flatMap((e) => ('fixed' in e && e.fixed ? [e.fixed] : []))),
      );
      expect(new Set(actual.affected.flatMap((a) => a.fixedVersions))).toEqual(new Set(fixedOsv));
    }
  });

  it('evaluates GitHub ranges exactly, including an exclusive lower bound OSV cannot state', async () => {
    const result = await readSourceFile(
      'auto',
      'maven_greater_than.json',
      await readFile(join(dir, 'maven_greater_than.json')),
    );
    const index = AdvisoryIndex.fromRecords(result.records);
    const hit = (v: string) =>
      index
        .match([{ purl: `pkg:maven/org.xwiki.commons/xwiki-commons-core@${v}`, name: 'x' }])
        .findings.map((f) => f.fixedIn);
    expect(hit('11.6')).toEqual([]); // `> 11.6`
    expect(hit('11.7')).toEqual(['11.10.13']);
    expect(hit('12.6.6')).toEqual(['12.6.7']);
    expect(hit('12.6.7')).toEqual([]);
    expect(hit('12.10.1')).toEqual(['12.10.2']);
    // npm `= 1.1.6` and `<= 1.2.1` style ranges too, checked against the OSV conversion's verdicts.
    for (const [file, purl, versions] of [
      ['equals_no_patch.json', 'pkg:gem/paranoid2@', ['1.1.5', '1.1.6', '1.1.7']],
      ['less_than_equals_with_patch.json', 'pkg:npm/i18next@', ['1.10.2', '1.10.3', '0.1.0']],
      ['multiple_ranges_in_package.json', 'pkg:gem/passenger@', ['3.0.20', '3.0.21', '4.0.1', '4.0.5']],
    ] as const) {
      const read = await readSourceFile('auto', file, await readFile(join(dir, file)));
      const expected = JSON.parse(await readFile(join(dir, file.replace(/\.json$/, '.osv.json')), 'utf8'));
      const idx = AdvisoryIndex.fromRecords(read.records);
      for (const version of versions) {
        const ours = idx.match([{ purl: purl + version, name: 'x' }]).findings.length > 0;
        const theirs = expected.affected.some((a: OsvAffected) => {
          const r = compileAffected(a.package!.ecosystem, a).evaluate(version);
          return 'affected' in r && r.affected;
        });
        expect([file, version, ours]).toEqual([file, version, theirs]);
      }
    }
  });

  it('reads the REST list shape (snake_case array), refusing one bad record and keeping the rest', async () => {
    const rest = JSON.parse(
      await readFile(join(__dirname, '..', '__fixtures__', 'ghsa-rest-advisories.json'), 'utf8'),
    );
    const bad = { ...rest[0], ghsa_id: 'GHSA-not-an-id', vulnerabilities: 'nope' };
    const body = JSON.stringify([...rest, bad]);
    expect(detectSource('advisories.json', body)).toBe('ghsa-api');
    const result = readSourceText('ghsa-api', 'advisories.json', body);
    expect(result.records.map((r) => r.key)).toEqual([
      'GHSA-76mp-659p-rw65',
      'GHSA-9qj7-jvg4-qr2x',
      'GHSA-35c4-f3rq-f9g3',
    ]);
    expect(errors(result.issues)).toEqual([
      expect.objectContaining({ code: 'SCHEMA_VIOLATION', document: 'advisories.json', field: 'ghsa_id' }),
    ]);
    const first = advisoryOf(result.records[0]!);
    expect(first).toMatchObject({ aliases: ['CVE-2021-32620'], severityLabel: 'HIGH', cwes: ['CWE-285'] });
    expect(first.cvss[0]).toMatchObject({ version: '3.1', source: 'github' });
    expect(advisoryOf(result.records[2]!).withdrawn).toBe('2018-10-11T17:29:49Z');
    // Each item of a list is stored as its own JSON text.
    expect(JSON.parse(result.records[1]!.raw)).toEqual(rest[1]);
  });

  it('leaves out an entry with an unknown ecosystem or an unreadable range, naming the field', () => {
    const body = JSON.stringify({
      ghsa_id: 'GHSA-2222-3333-4444',
      summary: 's',
      vulnerabilities: [
        {
          package: { ecosystem: 'other', name: 'x' },
          vulnerable_version_range: '< 1',
          first_patched_version: '1',
        },
        {
          package: { ecosystem: 'npm', name: 'x' },
          vulnerable_version_range: '~~ 1.0',
          first_patched_version: null,
        },
        {
          package: { ecosystem: 'npm', name: 'y' },
          vulnerable_version_range: '< 2.0.0',
          first_patched_version: '2.0.0',
        },
      ],
    });
    const result = readSourceText('ghsa-api', 'one.json', body);
    expect(advisoryOf(result.records[0]!).affected.map((a) => a.name)).toEqual(['y']);
    expect(result.issues.map((i) => [i.code, i.field])).toEqual([
      ['UNKNOWN_ECOSYSTEM', 'vulnerabilities[0].package.ecosystem'],
      ['INVALID_VERSION', 'vulnerabilities[1].vulnerable_version_range'],
    ]);
  });
});

describe('CycloneDX VDR', () => {
  const vdrXml = join(SHARED_DATA, 'vex/cyclonedx/apache-logging/vdr.xml');

  it("reads Apache Logging's published VDR (XML): log4j-core 2.14.1 gets Log4Shell and its follow-ups with the right fixes", async () => {
    const bytes = await readFile(vdrXml);
    expect(detectSource('vdr.xml', bytes.toString('utf8', 0, 65536))).toBe('cyclonedx-vdr');
    const result = await readSourceFile('auto', 'vdr.xml', bytes);
    expect(errors(result.issues)).toEqual([]);
    const xmlText = bytes.toString('utf8');
    const declared = (xmlText.replace(/<!--[\s\S]*?-->/g, '').match(/<vulnerability>/g) ?? []).length;
    expect(result.records).toHaveLength(declared);
    // Log4cxx has only a CPE; its conan purl has no ordering here: left out with warnings, not errors.
    expect(result.issues.some((i) => i.code === 'UNKNOWN_ECOSYSTEM' && i.record === 'CVE-2026-40023')).toBe(
      true,
    );
    const index = AdvisoryIndex.fromRecords(result.records);
    const findings = index.match([
      { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', name: 'log4j-core' },
    ]).findings;
    const byId = new Map(findings.map((f) => [f.advisoryId, f]));
    expect(byId.get('CVE-2021-44228')).toMatchObject({
      fixedIn: '2.15.0',
      fixedVersions: ['2.3.1', '2.12.2', '2.15.0'],
      severity: { level: 'CRITICAL', score: 10 },
      cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'],
      source: 'cyclonedx-vdr',
    });
    expect(byId.get('CVE-2021-45046')?.fixedIn).toBe('2.16.0');
    expect(byId.get('CVE-2021-45105')?.fixedIn).toBe('2.17.0');
    expect(byId.get('CVE-2021-44832')?.fixedIn).toBe('2.17.0');
    expect(byId.has('CVE-2017-5645')).toBe(false); // fixed in 2.8.2, long before 2.14.1
    // log4net 2.0.9: CVE-2018-1285 is marked not_affected by the publisher's analysis: kept, matches nothing.
    const net = index
      .match([{ purl: 'pkg:nuget/log4net@2.0.9', name: 'log4net' }])
      .findings.map((f) => f.advisoryId);
    expect(net).not.toContain('CVE-2018-1285');
    expect(net).toContain('CVE-2026-40021');
    // 2.17.1 is clear of the 2021 advisories.
    const later = index
      .match([{ purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1', name: 'log4j-core' }])
      .findings.map((f) => f.advisoryId);
    expect(later.filter((id) => id.startsWith('CVE-2021-'))).toEqual([]);
  });

  it('reads a JSON VDR (the CycloneDX spec test resource): withdrawn via rejected, the analysis honoured', async () => {
    const file = join(SHARED_DATA, 'sbom/cyclonedx/spec-test-resources/1.6/valid-vulnerability-1.6.json');
    const result = await readSourceFile(
      'cyclonedx-vdr',
      'valid-vulnerability-1.6.json',
      await readFile(file),
    );
    expect(errors(result.issues)).toEqual([]);
    const advisory = advisoryOf(result.records[0]!);
    expect(advisory).toMatchObject({
      id: 'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111',
      aliases: ['CVE-2018-7489'],
      withdrawn: '2022-01-01T00:00:00.000Z',
      cwes: ['CWE-184', 'CWE-502'],
    });
    // Its analysis says not_affected (code_not_reachable): the observation is kept, affecting nothing.
    expect(advisory.affected).toEqual([]);
    expect(advisory.details).toContain("Publisher's analysis: not_affected (code_not_reachable)");
    // The same vulnerability without that analysis: vers ranges become intervals, upper bounds the fixes.
    const doc = JSON.parse(await readFile(file, 'utf8'));
    delete doc.vulnerabilities[0].analysis;
    const plain = advisoryOf(readSourceText('cyclonedx-vdr', 'v.json', JSON.stringify(doc)).records[0]!);
    expect(plain.affected[0]).toMatchObject({
      ecosystem: 'Maven',
      name: 'com.fasterxml.jackson.core:jackson-databind',
      fixedVersions: ['2.6.7.5', '2.8.11.1', '2.9.5'],
    });
  });

  it('refuses malformed XML, a DOCTYPE (entity expansion) and a bad vulnerability, keeping the good ones', () => {
    expect(
      readSourceText(
        'cyclonedx-vdr',
        'a.xml',
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><vulnerabilities>',
      ).issues,
    ).toEqual([expect.objectContaining({ code: 'MALFORMED_JSON', document: 'a.xml' })]);
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>';
    expect(readSourceText('cyclonedx-vdr', 'b.xml', bomb).issues[0]).toMatchObject({
      code: 'MALFORMED_JSON',
      document: 'b.xml',
    });
    const json = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ 'bom-ref': 'c', type: 'library', name: 'x', purl: 'pkg:npm/x' }],
      vulnerabilities: [
        { id: 'CVE-2024-0001', affects: [{ ref: 'c', versions: [{ range: 'vers:npm/<1.2.3' }] }] },
        { id: 'not an id', affects: [] },
        {
          id: 'CVE-2024-0002',
          affects: [{ ref: 'missing' }, { ref: 'c', versions: [{ range: 'vers:npm/>=1.0.0|<2.0.0' }] }],
        },
      ],
    });
    const result = readSourceText('cyclonedx-vdr', 'vdr.json', json);
    expect(result.records.map((r) => advisoryOf(r).id)).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
    expect(errors(result.issues)).toEqual([
      expect.objectContaining({
        code: 'SCHEMA_VIOLATION',
        document: 'vdr.json',
        record: 'not an id',
        field: 'vulnerabilities[1].id',
      }),
    ]);
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        record: 'CVE-2024-0002',
        field: 'vulnerabilities[2].affects[0].ref',
      }),
    );
  });

  it("two publishers' VDRs about the same vulnerability are two observations, both indexed", () => {
    const vdr = (serial: string, range: string) =>
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        serialNumber: `urn:uuid:${serial}`,
        components: [{ 'bom-ref': 'c', type: 'library', name: 'x', purl: 'pkg:npm/x' }],
        vulnerabilities: [{ id: 'CVE-2024-0001', affects: [{ ref: 'c', versions: [{ range }] }] }],
      });
    const a = readSourceText(
      'cyclonedx-vdr',
      'a.json',
      vdr('11111111-1111-1111-1111-111111111111', 'vers:npm/<1.0.0'),
    );
    const b = readSourceText(
      'cyclonedx-vdr',
      'b.json',
      vdr('22222222-2222-2222-2222-222222222222', 'vers:npm/<2.0.0'),
    );
    expect(a.records[0]!.key).not.toBe(b.records[0]!.key);
    const index = AdvisoryIndex.fromRecords([...a.records, ...b.records]);
    expect(index.size).toBe(2);
    expect(index.match([{ purl: 'pkg:npm/x@0.5.0', name: 'x' }]).findings.map((f) => f.fixedIn)).toEqual([
      '1.0.0',
      '2.0.0',
    ]);
  });

  it('vers ranges: intervals as the vers specification orders them', () => {
    expect(parseVers('vers:maven/>=2.0-beta9|<2.3.1|>=2.4|<2.12.2')).toEqual({
      scheme: 'maven',
      intervals: [
        [
          { op: '>=', version: '2.0-beta9' },
          { op: '<', version: '2.3.1' },
        ],
        [
          { op: '>=', version: '2.4' },
          { op: '<', version: '2.12.2' },
        ],
      ],
    });
    expect(parseVers('vers:npm/*')).toEqual({ scheme: 'npm', intervals: [[]] });
    expect(parseVers('vers:npm/1.0.0|!=1.0.1|>=2.0.0')).toEqual({
      scheme: 'npm',
      intervals: [
        [
          { op: '=', version: '1.0.0' },
          { op: '!=', version: '1.0.1' },
        ],
        [
          { op: '>=', version: '2.0.0' },
          { op: '!=', version: '1.0.1' },
        ],
      ],
    });
    expect(parseVers('maven/>=1')).toMatchObject({ error: expect.any(String) });
  });
});

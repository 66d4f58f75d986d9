import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEBIAN_TRACKER, EPSS_CSV, KEV_CATALOGUE, NVD_RESPONSE, SHARED_DATA } from '../__fixtures__/fixtures';
import { detectSource, readSourceFile, readSourceText } from './read-source';

const text = (source: Parameters<typeof readSourceText>[0], name: string, body: string) =>
  readSourceText(source, name, body);

describe('OSV connector', () => {
  it('reads every record of the real npm GHSA JSON-lines file, labelling GHSA ids as ghsa', async () => {
    const bytes = await readFile(join(SHARED_DATA, 'advisories/osv/npm.osv.jsonl'));
    const result = await readSourceFile('auto', 'npm.osv.jsonl', bytes);
    expect(result.records).toHaveLength(197);
    expect(result.issues.filter((i) => i.level === 'error')).toEqual([]);
    expect(new Set(result.records.map((r) => r.source))).toEqual(new Set(['ghsa']));
    // Records keep their exact line: the content hash is over the bytes as published.
    const firstLine = bytes.toString('utf8').split('\n')[0]!;
    expect(result.records[0]!.raw).toBe(firstLine);
    expect(result.records[0]!.contentHash).toMatch(/^sha256:[a-f0-9]{64}$/);
    // Packagist entries (an ecosystem the version library does not order) are left out with a warning.
    expect(
      result.issues.some((i) => i.code === 'UNKNOWN_ECOSYSTEM' && i.field?.endsWith('.package.ecosystem')),
    ).toBe(true);
  });

  it('refuses a malformed line and a schema-breaking record, and keeps the rest of the batch', () => {
    const good = JSON.stringify({
      id: 'GHSA-aaaa-bbbb-cccc',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'x' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
        },
      ],
    });
    const body = [good, '{"id": "broken', JSON.stringify({ id: 'OSV-1', affected: [] }), ''].join('\n');
    const result = text('osv', 'feed.jsonl', body);
    expect(result.records.map((r) => r.key)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(result.issues).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'MALFORMED_JSON',
        document: 'feed.jsonl',
        record: 'line 2',
      }),
      expect.objectContaining({
        level: 'error',
        code: 'SCHEMA_VIOLATION',
        document: 'feed.jsonl',
        record: 'OSV-1',
        field: 'modified',
      }),
    ]);
  });

  it('leaves out an entry with an unknown ecosystem or an absurd version and names the field', () => {
    const record = {
      id: 'OSV-2024-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'Hackage', name: 'aeson' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        },
        {
          package: { ecosystem: 'npm', name: 'y' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1'.repeat(300) }] }],
        },
        {
          package: { ecosystem: 'npm', name: 'z' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
        },
      ],
    };
    const result = text('osv', 'one.json', JSON.stringify(record));
    expect(result.records).toHaveLength(1);
    const advisory =
      result.records[0]!.content.kind === 'advisory' ? result.records[0]!.content.advisory : undefined;
    expect(advisory?.affected.map((a) => a.name)).toEqual(['z']);
    expect(result.issues.map((i) => [i.level, i.code, i.field])).toEqual([
      ['warning', 'UNKNOWN_ECOSYSTEM', 'affected[0].package.ecosystem'],
      ['warning', 'INVALID_VERSION', 'affected[1].ranges[0].events[1].fixed'],
    ]);
  });

  it('refuses an oversized record without reading it', () => {
    const huge = JSON.stringify({ id: 'OSV-2', modified: 'x', details: 'a'.repeat(2000) });
    const result = readSourceText('osv', 'big.jsonl', huge, { maxRecordBytes: 1000 });
    expect(result.records).toEqual([]);
    expect(result.issues[0]).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', record: 'line 1' });
  });

  it('ghsa refuses records that are not GHSA', () => {
    const result = text('ghsa', 'g.json', JSON.stringify({ id: 'PYSEC-2021-1', modified: 'x' }));
    expect(result.issues[0]).toMatchObject({ code: 'SCHEMA_VIOLATION', field: 'id' });
  });
});

describe('NVD CVE API 2.0 connector (fixture written from the published response format)', () => {
  it('keeps CVSS vectors with their scorer and computed scores, and CWE ids', () => {
    const result = text('nvd', 'nvd-page-0.json', NVD_RESPONSE);
    expect(result.issues).toEqual([]);
    expect(result.records.map((r) => r.key)).toEqual(['CVE-2021-44228', 'CVE-2020-8203']);
    const log4shell = result.records[0]!.content;
    if (log4shell.kind !== 'advisory') throw new Error('expected an advisory');
    expect(log4shell.advisory.cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
        baseScore: 10,
        severity: 'CRITICAL',
        source: 'nvd@nist.gov',
      },
      {
        version: '2.0',
        vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C',
        baseScore: 9.3,
        severity: 'HIGH',
        source: 'nvd@nist.gov',
      },
    ]);
    expect(log4shell.advisory.cwes).toEqual(['CWE-502', 'CWE-400', 'CWE-917']);
    expect(detectSource('nvd.json', NVD_RESPONSE)).toBe('nvd');
  });

  it('refuses an item without an id and keeps the other', () => {
    const body = JSON.parse(NVD_RESPONSE) as { vulnerabilities: Array<{ cve: Record<string, unknown> }> };
    delete body.vulnerabilities[0]!.cve.id;
    const result = text('nvd', 'nvd.json', JSON.stringify(body));
    expect(result.records.map((r) => r.key)).toEqual(['CVE-2020-8203']);
    expect(result.issues[0]).toMatchObject({
      code: 'SCHEMA_VIOLATION',
      record: 'vulnerabilities[0]',
      field: 'vulnerabilities[0].cve.id',
    });
  });
});

describe('KEV connector (fixture written from the published catalogue format)', () => {
  it('reads the catalogue as one record and leaves out a bad entry', () => {
    const body = JSON.parse(KEV_CATALOGUE) as { vulnerabilities: unknown[] };
    body.vulnerabilities.push({
      cveID: 'CVE-2024-0001',
      vendorProject: 'X',
      product: 'Y',
      vulnerabilityName: 'Z',
      dateAdded: 'yesterday',
      requiredAction: 'a',
      dueDate: '2024-01-01',
    });
    const result = text('kev', 'known_exploited_vulnerabilities.json', JSON.stringify(body));
    expect(result.records).toHaveLength(1);
    const content = result.records[0]!.content;
    expect(content.kind === 'kev' && content.entries.map((e) => e.cveId)).toEqual([
      'CVE-2021-44228',
      'CVE-2023-5363',
    ]);
    expect(result.issues).toEqual([
      expect.objectContaining({
        level: 'warning',
        record: 'CVE-2024-0001',
        field: 'vulnerabilities[2].dateAdded',
      }),
    ]);
    expect(detectSource('kev.json', KEV_CATALOGUE)).toBe('kev');
  });
});

describe('EPSS connector (fixture written from the published CSV format)', () => {
  it('reads the model version line, the header and the rows; a bad row is left out', () => {
    const result = text(
      'epss',
      'epss_scores-2024-01-10.csv',
      EPSS_CSV + 'CVE-2024-0001,2.5,0.1\nnot,a,row\n',
    );
    const content = result.records[0]!.content;
    if (content.kind !== 'epss') throw new Error('expected epss');
    expect(content.modelVersion).toBe('v2023.03.01');
    expect(content.scoreDate).toBe('2024-01-10T00:00:00+0000');
    expect(content.scores).toEqual([
      {
        cveId: 'CVE-2021-44228',
        epss: 0.97565,
        percentile: 0.99996,
        modelVersion: 'v2023.03.01',
        scoreDate: '2024-01-10T00:00:00+0000',
      },
      {
        cveId: 'CVE-2020-8203',
        epss: 0.01442,
        percentile: 0.86303,
        modelVersion: 'v2023.03.01',
        scoreDate: '2024-01-10T00:00:00+0000',
      },
      {
        cveId: 'CVE-2023-5363',
        epss: 0.00165,
        percentile: 0.531,
        modelVersion: 'v2023.03.01',
        scoreDate: '2024-01-10T00:00:00+0000',
      },
    ]);
    expect(result.issues.map((i) => [i.code, i.record])).toEqual([
      ['SCHEMA_VIOLATION', 'CVE-2024-0001'],
      ['SCHEMA_VIOLATION', 'line 7'],
    ]);
  });

  it('refuses a file without the model version line', () => {
    const result = text('epss', 'e.csv', 'cve,epss,percentile\nCVE-2021-1,0.1,0.2\n');
    expect(result.records).toEqual([]);
    expect(result.issues[0]).toMatchObject({ code: 'SCHEMA_VIOLATION', field: 'model_version' });
  });
});

describe('Debian Security Tracker JSON connector (fixture written from the tracker export format)', () => {
  it('regroups per CVE with one entry per (package, numbered release); fixed_version 0 means not affected', () => {
    const result = text('debian', 'tracker.json', DEBIAN_TRACKER);
    expect(result.issues).toEqual([]);
    expect(result.records.map((r) => r.key)).toEqual([
      'DEBIAN-CVE-2023-5363',
      'DEBIAN-CVE-2024-0727',
      'DEBIAN-CVE-2023-38545',
    ]);
    const openssl = result.records[0]!.content;
    if (openssl.kind !== 'advisory') throw new Error('expected an advisory');
    expect(openssl.advisory.aliases).toEqual(['CVE-2023-5363']);
    expect(openssl.advisory.affected.map((a) => [a.ecosystem, a.name, a.fixedVersions])).toEqual([
      ['Debian:12', 'openssl', ['3.0.11-1~deb12u2']],
    ]);
    const open = result.records[1]!.content;
    expect(
      open.kind === 'advisory' &&
        open.advisory.affected.map((a) => [a.ecosystem, a.fixedVersions, a.distroSeverity]),
    ).toEqual([['Debian:12', [], 'low']]);
    expect(detectSource('tracker.json', DEBIAN_TRACKER)).toBe('debian');
  });
});

describe('legacy npm advisories (Node.js security WG format)', () => {
  it('reads the real file; vulnerable_versions is kept as an npm range and patched_versions gives the fix', async () => {
    const bytes = await readFile(join(SHARED_DATA, 'advisories/npm-legacy/nodejs-security-wg.npm.jsonl'));
    const result = await readSourceFile('auto', 'nodejs-security-wg.npm.jsonl', bytes);
    expect(result.issues.filter((i) => i.level === 'error')).toEqual([]);
    expect(result.records.length).toBe(467);
    const lodash = result.records.find((r) => r.key === 'NSWG-ECO-516')!.content;
    expect(lodash.kind === 'advisory' && lodash.advisory.affected).toEqual([
      { ecosystem: 'npm', name: 'lodash', nativeRange: '>=4.17.15 <4.17.19', fixedVersions: ['4.17.19'] },
    ]);
  });
});

describe('format detection', () => {
  it('refuses a file no connector reads, naming it', async () => {
    const result = await readSourceFile('auto', 'notes.json', Buffer.from('{"hello": "world"}'));
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_FORMAT', document: 'notes.json' }),
    ]);
  });
});

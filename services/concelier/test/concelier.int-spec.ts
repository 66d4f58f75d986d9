import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { STELLA_BUS, type ServiceApp } from '@stella/platform';
import type { Bus } from '@stella/bus';
import { decodeEvent } from '@stella/contracts';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';
import { ZipFile } from 'yazl';
import { concelierConfigSchema, concelierMigrations, concelierRootModule } from '../src';
import { createTokens, migrate, SHARED_DATA } from './harness';

jest.setTimeout(120_000);

// Written from the Debian Security Tracker's JSON export format (../shared/data has no copy).
const TRACKER = JSON.stringify({
  openssl: {
    'CVE-2023-5363': {
      description: 'Incorrect cipher key and IV length processing.',
      scope: 'remote',
      releases: {
        bookworm: {
          status: 'resolved',
          repositories: { bookworm: '3.0.11-1~deb12u2' },
          fixed_version: '3.0.11-1~deb12u2',
          urgency: 'not yet assigned',
        },
      },
    },
  },
});
// Written from CISA's KEV catalogue format (illustrative entry).
const KEV = JSON.stringify({
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: '2024.01.10',
  dateReleased: '2024-01-10T17:00:47.3378Z',
  count: 1,
  vulnerabilities: [
    {
      cveID: 'CVE-2023-5363',
      vendorProject: 'OpenSSL',
      product: 'OpenSSL',
      vulnerabilityName: 'fixture entry',
      dateAdded: '2023-11-01',
      shortDescription: 'fixture',
      requiredAction: 'Apply updates.',
      dueDate: '2023-11-22',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
    },
  ],
});

function zip(entries: Array<[string, string]>): Promise<Buffer> {
  const file = new ZipFile();
  for (const [name, body] of entries) file.addBuffer(Buffer.from(body), name);
  file.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (c: Buffer) => chunks.push(c));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('concelier (real Postgres + JetStream)', () => {
  let db: TestSchema;
  let nats: TestNatsPrefix;
  let svc: ServiceApp;
  let base: string;
  const tokens = createTokens();
  let importer: string;
  let reader: string;

  const call = async (method: string, path: string, body?: unknown, token = importer) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text,
      headers: response.headers,
    };
  };

  beforeAll(async () => {
    db = await createTestSchema('concelier');
    nats = createTestNatsPrefix();
    await migrate(db.url, db.schema, concelierMigrations);
    importer = await tokens.token('advisory:import advisory:read');
    reader = await tokens.token('advisory:read');
    svc = await bootTestApp({
      service: 'concelier',
      module: concelierRootModule({ verifier: tokens.verifier }),
      config: concelierConfigSchema.parse({
        httpPort: 0,
        databaseUrl: db.url,
        databaseSchema: db.schema,
        natsUrl: nats.servers,
        natsPrefix: nats.prefix,
        concelierImportRoot: SHARED_DATA,
      }),
    });
    base = svc.url;
  });

  afterAll(async () => {
    const bus = svc?.app.get<Bus>(STELLA_BUS);
    await svc?.close();
    await nats.cleanup(bus?.nc.isClosed() ? undefined : bus);
    await db.drop();
  });

  it('answers {"merge": false} without a token, and refuses imports without the scope', async () => {
    const capabilities = await call('GET', '/capabilities', undefined, '');
    expect(capabilities.status).toBe(200);
    expect(capabilities.body).toMatchObject({ service: 'concelier', merge: false, urlImport: false });
    expect((await call('POST', '/api/v1/imports', { path: 'advisories/osv/npm.osv.jsonl' }, '')).status).toBe(
      401,
    );
    expect(
      (await call('POST', '/api/v1/imports', { path: 'advisories/osv/npm.osv.jsonl' }, reader)).status,
    ).toBe(403);
  });

  let firstSnapshot: string;
  let firstImport: string;

  it('imports real GHSA records offline, records a snapshot and publishes one event per advisory', async () => {
    const imported = await call('POST', '/api/v1/imports', { path: 'advisories/osv/npm.osv.jsonl' });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      source: 'auto',
      origin: 'path:advisories/osv/npm.osv.jsonl',
      recordsRead: 197,
      documentsNew: 197,
      documentsUnchanged: 0,
      recordsRefused: 0,
    });
    expect(imported.body.snapshotId).toMatch(/^sha256:[a-f0-9]{64}$/);
    firstSnapshot = imported.body.snapshotId;
    firstImport = imported.body.importId;

    const bus = svc.app.get<Bus>(STELLA_BUS);
    const stream = `${nats.streamPrefix}_ADVISORY`;
    let messages = 0;
    for (let i = 0; i < 400 && messages < 197; i++) {
      messages = (await bus.jsm.streams.info(stream)).state.messages;
      if (messages < 197) await new Promise((r) => setTimeout(r, 50));
    }
    expect(messages).toBe(197);
    const first = decodeEvent((await bus.jsm.streams.getMessage(stream, { seq: 1 })).data);
    expect(first.type).toBe('stella.advisory.upserted');
    expect(first.data).toMatchObject({
      tenantId: 'acme',
      source: 'ghsa',
      supersedes: false,
      importId: firstImport,
      snapshotId: firstSnapshot,
      actor: { type: 'client', id: 'ci-import' },
    });
    expect((first.data as { packageKeys: string[] }).packageKeys.length).toBeGreaterThan(0);

    const run = await call('GET', `/api/v1/imports/${firstImport}`, undefined, reader);
    expect(run.body).toMatchObject({ importId: firstImport, documentsNew: 197, snapshotId: firstSnapshot });
  });

  it('re-importing the same file stores nothing and keeps the snapshot id', async () => {
    const again = await call('POST', '/api/v1/imports', {
      path: 'advisories/osv/npm.osv.jsonl',
      source: 'ghsa',
    });
    expect(again.body).toMatchObject({ documentsNew: 0, documentsUnchanged: 197, snapshotId: firstSnapshot });
  });

  it('a changed record is a new document; the earlier one is never rewritten, and the database refuses to', async () => {
    const lines = (await readFile(join(SHARED_DATA, 'advisories/osv/npm.osv.jsonl'), 'utf8')).split('\n');
    const original = JSON.parse(lines[0]!) as { id: string; modified: string; summary?: string };
    const before = await call('GET', `/api/v1/advisories/${original.id}`, undefined, reader);
    expect(before.body.observations).toHaveLength(1);
    const originalHash: string = before.body.observations[0].documentHash;

    const changed = JSON.stringify({
      ...original,
      modified: '2030-01-01T00:00:00Z',
      summary: 'revised summary',
    });
    const imported = await call('POST', '/api/v1/imports', {
      source: 'ghsa',
      name: 'revision.jsonl',
      content: changed,
    });
    expect(imported.body).toMatchObject({ documentsNew: 1, documentsUnchanged: 0 });
    expect(imported.body.snapshotId).not.toBe(firstSnapshot);

    const after = await call('GET', `/api/v1/advisories/${original.id}`, undefined, reader);
    expect(
      after.body.observations.map((o: { documentHash: string; current: boolean }) => [
        o.documentHash === originalHash,
        o.current,
      ]),
    ).toEqual([
      [true, false],
      [false, true],
    ]);
    const raw = await call('GET', `/api/v1/documents/${originalHash}`, undefined, reader);
    expect(raw.body).toEqual(JSON.parse(lines[0]!));

    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE "${db.schema}".raw_document SET content = 'x'`)).rejects.toThrow(
        /immutable/,
      );
      await expect(client.query(`DELETE FROM "${db.schema}".raw_document`)).rejects.toThrow(/immutable/);
      await expect(client.query(`TRUNCATE "${db.schema}".observation CASCADE`)).rejects.toThrow(/immutable/);
      await expect(client.query(`UPDATE "${db.schema}".feed_snapshot SET max_seq = 0`)).rejects.toThrow(
        /immutable/,
      );
    } finally {
      await client.end();
    }
    const still = await call('GET', `/api/v1/documents/${originalHash}`, undefined, reader);
    expect(still.body).toEqual(JSON.parse(lines[0]!));
  });

  it('one bad record never sinks a batch: each is reported by document, record and field', async () => {
    const good = JSON.stringify({
      id: 'PYSEC-2099-1',
      modified: '2099-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'demo' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }],
        },
      ],
    });
    const result = await call('POST', '/api/v1/imports', {
      source: 'osv',
      name: 'mixed.jsonl',
      content: [good, '{not json', JSON.stringify({ id: 'PYSEC-2099-2' })].join('\n'),
    });
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({ recordsRead: 1, documentsNew: 1, recordsRefused: 2 });
    expect(result.body.issues).toEqual([
      expect.objectContaining({ code: 'MALFORMED_JSON', document: 'mixed.jsonl', record: 'line 2' }),
      expect.objectContaining({
        code: 'SCHEMA_VIOLATION',
        document: 'mixed.jsonl',
        record: 'PYSEC-2099-2',
        field: 'modified',
      }),
    ]);

    const archive = await zip([
      ['aa/PYSEC-2099-3.json', JSON.stringify({ id: 'PYSEC-2099-3', modified: 'x' })],
      ['PYSEC-2099-4.json', JSON.stringify({ id: 'PYSEC-2099-4', modified: 'x' })],
    ]);
    const patched = Buffer.from(
      archive.toString('latin1').split('aa/PYSEC-2099-3.json').join('../XYSEC-2099-3.json'),
      'latin1',
    );
    const zipped = await call('POST', '/api/v1/imports', {
      source: 'osv',
      name: 'all.zip',
      contentBase64: patched.toString('base64'),
    });
    expect(zipped.body).toMatchObject({ documentsNew: 1, recordsRefused: 1 });
    expect(zipped.body.issues[0]).toMatchObject({
      code: 'UNSAFE_ARCHIVE',
      document: 'all.zip!../XYSEC-2099-3.json',
    });
  });

  it('refuses paths outside the import root, URL import when not configured, and malformed requests', async () => {
    expect((await call('POST', '/api/v1/imports', { path: '../main/package.json' })).body).toMatchObject({
      status: 400,
      type: 'urn:stella:problem:import-path-refused',
    });
    expect((await call('POST', '/api/v1/imports', { path: 'no/such/file.json' })).status).toBe(404);
    expect(
      (await call('POST', '/api/v1/imports', { url: 'https://example.invalid/all.zip' })).body,
    ).toMatchObject({ status: 409, type: 'urn:stella:problem:url-import-disabled' });
    const both = await call('POST', '/api/v1/imports', { path: 'a', content: 'b' });
    expect(both.status).toBe(400);
    expect((await call('GET', '/api/v1/imports/not-a-uuid', undefined, reader)).status).toBe(400);
  });

  it('links aliases across sources (DSA <-> Debian tracker <-> CVE) without merging them', async () => {
    const dsa = (await readFile(join(SHARED_DATA, 'advisories/osv/debian.osv.jsonl'), 'utf8'))
      .split('\n')
      .find((l) => l.includes('"id":"DSA-5532-1"'))!;
    expect(
      (await call('POST', '/api/v1/imports', { source: 'osv', name: 'dsa.jsonl', content: dsa })).body,
    ).toMatchObject({ documentsNew: 1 });
    expect(
      (await call('POST', '/api/v1/imports', { source: 'debian', name: 'tracker.json', content: TRACKER }))
        .body,
    ).toMatchObject({ documentsNew: 1 });
    expect(
      (await call('POST', '/api/v1/imports', { source: 'kev', name: 'kev.json', content: KEV })).body,
    ).toMatchObject({ documentsNew: 1 });
    const view = await call('GET', '/api/v1/advisories/CVE-2023-5363', undefined, reader);
    expect(view.body.linkSet).toEqual(['CVE-2023-5363', 'DEBIAN-CVE-2023-5363', 'DSA-5532-1']);
    expect(
      view.body.observations.map((o: { source: string; key: string }) => `${o.source}/${o.key}`),
    ).toEqual(['debian/DEBIAN-CVE-2023-5363', 'osv/DSA-5532-1']);
  });

  it('KEV and EPSS changes are announced with the advisories and package keys they touch (stella.advisory.enriched)', async () => {
    const bus = svc.app.get<Bus>(STELLA_BUS);
    const stream = `${nats.streamPrefix}_ADVISORY`;
    const eventsAfter = async (seq: number, count: number) => {
      let last = 0;
      for (let i = 0; i < 400; i++) {
        last = (await bus.jsm.streams.info(stream)).state.last_seq;
        if (last >= seq + count) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const out = [];
      for (let s = seq + 1; s <= last; s++)
        out.push(decodeEvent((await bus.jsm.streams.getMessage(stream, { seq: s })).data));
      return out;
    };
    // The first catalogue (previous test) announced CVE-2023-5363 as added, with both Debian observations.
    const all = await eventsAfter(0, 0);
    const first = all.filter((e) => e.type === 'stella.advisory.enriched');
    expect(first.map((e) => e.data)).toEqual([
      expect.objectContaining({
        source: 'kev',
        changes: [{ cveId: 'CVE-2023-5363', change: 'added' }],
        advisoryIds: ['DEBIAN-CVE-2023-5363', 'DSA-5532-1'],
        packageKeys: ['debian:12|openssl'],
        unmatchedChanges: 0,
        supersedes: false,
        part: 1,
        parts: 1,
      }),
    ]);

    // A new catalogue: CVE-2023-5363's due date moves, Log4Shell (no advisory stored here) is added.
    const catalogue = JSON.parse(KEV);
    catalogue.catalogVersion = '2024.01.11';
    catalogue.dateReleased = '2024-01-11T17:00:00.000Z';
    catalogue.vulnerabilities[0].dueDate = '2023-12-01';
    catalogue.vulnerabilities.push({
      ...catalogue.vulnerabilities[0],
      cveID: 'CVE-2021-44228',
      vendorProject: 'Apache',
      product: 'Log4j2',
      dueDate: '2021-12-24',
    });
    const before = (await bus.jsm.streams.info(stream)).state.last_seq;
    const kev = await call('POST', '/api/v1/imports', {
      source: 'kev',
      name: 'kev.json',
      content: JSON.stringify(catalogue),
    });
    expect(kev.body).toMatchObject({ documentsNew: 1 });
    const [changed] = await eventsAfter(before, 1);
    expect(changed!.type).toBe('stella.advisory.enriched');
    expect(changed!.data).toMatchObject({
      tenantId: 'acme',
      source: 'kev',
      changes: [{ cveId: 'CVE-2023-5363', change: 'changed' }],
      advisoryIds: ['DEBIAN-CVE-2023-5363', 'DSA-5532-1'],
      packageKeys: ['debian:12|openssl'],
      unmatchedChanges: 1,
      supersedes: true,
      asOf: '2024-01-11T17:00:00.000Z',
      importId: kev.body.importId,
      snapshotId: kev.body.snapshotId,
    });

    // EPSS: the first file adds scores; only CVEs a stored advisory names are listed.
    const epss = [
      '#model_version:v2023.03.01,score_date:2024-01-10T00:00:00+0000',
      'cve,epss,percentile',
      'CVE-2021-44228,0.97565,0.99996',
      'CVE-2023-5363,0.00165,0.53100',
      '',
    ].join('\n');
    const before2 = (await bus.jsm.streams.info(stream)).state.last_seq;
    expect(
      (await call('POST', '/api/v1/imports', { source: 'epss', name: 'epss.csv', content: epss })).body,
    ).toMatchObject({
      documentsNew: 1,
    });
    const [scored] = await eventsAfter(before2, 1);
    expect(scored!.data).toMatchObject({
      source: 'epss',
      changes: [{ cveId: 'CVE-2023-5363', change: 'added' }],
      packageKeys: ['debian:12|openssl'],
      unmatchedChanges: 1,
      supersedes: false,
    });
    // The same file again: nothing stored, nothing announced.
    const before3 = (await bus.jsm.streams.info(stream)).state.last_seq;
    expect(
      (await call('POST', '/api/v1/imports', { source: 'epss', name: 'epss.csv', content: epss })).body,
    ).toMatchObject({
      documentsNew: 0,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await bus.jsm.streams.info(stream)).state.last_seq).toBe(before3);
  });

  it('matches an SBOM against the latest snapshot, and replays an earlier snapshot exactly', async () => {
    expect(
      (await call('POST', '/api/v1/imports', { path: 'advisories/npm-legacy/nodejs-security-wg.npm.jsonl' }))
        .body,
    ).toMatchObject({ documentsNew: 467 });
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        { type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' },
        {
          type: 'library',
          name: 'openssl',
          version: '3.0.9-1',
          purl: 'pkg:deb/debian/openssl@3.0.9-1?distro=debian-12',
        },
      ],
    };
    const latest = await call('POST', '/api/v1/match', { sbom }, reader);
    expect(latest.status).toBe(200);
    expect(
      latest.body.findings.map((f: { advisoryId: string; fixedIn: string; kev: unknown }) => [
        f.advisoryId,
        f.fixedIn,
        f.kev !== null,
      ]),
    ).toEqual([
      ['DEBIAN-CVE-2023-5363', '3.0.11-1~deb12u2', true],
      ['DSA-5532-1', '3.0.11-1~deb12u2', true],
      ['NSWG-ECO-516', '4.17.19', false],
    ]);
    const replay = await call('POST', '/api/v1/match', { sbom, snapshotId: firstSnapshot }, reader);
    expect(replay.body).toMatchObject({ snapshotId: firstSnapshot, findings: [] });
    const snapshot = await call('GET', `/api/v1/snapshots/${firstSnapshot}`, undefined, reader);
    expect(snapshot.body.documents).toHaveLength(197);
    expect((await call('POST', '/api/v1/match', { sbom: { bomFormat: 'SPDX' } }, reader)).body).toMatchObject(
      { status: 422, type: 'urn:stella:problem:invalid-sbom' },
    );
  });
});

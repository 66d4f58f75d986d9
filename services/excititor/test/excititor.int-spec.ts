import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { SignJWT } from 'jose';
import { createKeySigner, signEnvelope, serializeEnvelope } from '@stella/attest';
import { createLocalTokenVerifier } from '@stella/auth';
import type { Bus } from '@stella/bus';
import { decodeEvent } from '@stella/contracts';
import { createDataSource, runMigrations } from '@stella/db';
import { STELLA_BUS, type ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';
import { excititorConfigSchema, excititorMigrations, excititorRootModule } from '../src';

jest.setTimeout(120_000);

const ISSUER = 'https://authority.excititor.test';
const SHARED_VEX = join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'vex');
const PRODUCT = 'pkg:maven/org.example/app@1.0.0';

const openVex = (
  author: string,
  status: string,
  extra: Record<string, string> = {},
  timestamp = '2024-01-01T00:00:00Z',
) => ({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': `https://vex.example.com/${randomUUID()}`,
  author,
  timestamp,
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] },
      products: [{ '@id': PRODUCT }],
      status,
      ...extra,
    },
  ],
});

describe('excititor (real Postgres + JetStream)', () => {
  let db: TestSchema;
  let nats: TestNatsPrefix;
  let svc: ServiceApp;
  let writer: string;
  let reader: string;
  const tokenKey = generateKeyPairSync('ed25519');
  const vendorKey = generateKeyPairSync('ed25519');
  const strangerKey = generateKeyPairSync('ed25519');

  const token = (scope: string) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: 'vex-bot', client_id: 'vex-bot', tenant: 'acme', scope, jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience('stella')
      .setIssuedAt(now - 5)
      .setExpirationTime(now + 600)
      .sign(tokenKey.privateKey);
  };
  const call = async (method: string, path: string, body?: unknown, bearer = writer) => {
    const response = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { results: Array<Record<string, unknown>> },
    };
  };
  const consensus = async () =>
    (
      await call(
        'GET',
        `/api/v1/consensus?vulnerability=CVE-2021-44228&product=${encodeURIComponent(PRODUCT)}`,
        undefined,
        reader,
      )
    ).body as unknown as {
      status: string;
      summary: string;
      statements: Array<{ issuer: string; used: boolean; reason: string; signed: boolean }>;
    };
  const signed = async (doc: unknown, key: { privateKey: import('node:crypto').KeyObject }) =>
    JSON.parse(
      serializeEnvelope(
        await signEnvelope(Buffer.from(JSON.stringify(doc)), 'application/vnd.openvex+json', [
          createKeySigner(key.privateKey, { keyId: 'vendor-key' }),
        ]),
      ),
    ) as Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestSchema('excititor');
    nats = createTestNatsPrefix();
    const ds = createDataSource({
      url: db.url,
      schema: db.schema,
      migrations: excititorMigrations,
      entities: [],
      applicationName: 'stella-tests-migrate',
    });
    await runMigrations(ds);
    await ds.destroy();
    const publicJwk = { ...tokenKey.publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'EdDSA', use: 'sig' };
    svc = await bootTestApp({
      service: 'excititor',
      module: excititorRootModule({
        verifier: createLocalTokenVerifier({
          issuer: ISSUER,
          audience: 'stella',
          getKeys: () => [publicJwk],
        }),
      }),
      config: excititorConfigSchema.parse({
        httpPort: 0,
        databaseUrl: db.url,
        databaseSchema: db.schema,
        natsUrl: nats.servers,
        natsPrefix: nats.prefix,
        bodyLimitBytes: 8 * 1024 * 1024,
        excititorIssuers: [
          {
            id: 'vendor',
            trust: 80,
            authors: ['Example Vendor PSIRT'],
            publicKeys: [
              {
                keyId: 'vendor-key',
                publicKeyPem: vendorKey.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
              },
            ],
          },
          { id: 'scanner', trust: 30, authors: ['Stella Scanner'] },
          { id: 'peer', trust: 80, authors: ['Peer Distributor'] },
          { id: 'strict', trust: 90, authors: ['Strict Issuer'], requireSignature: true },
        ],
      }),
    });
    writer = await token('vex:write vex:read');
    reader = await token('vex:read');
  });

  afterAll(async () => {
    const bus = svc?.app.get<Bus>(STELLA_BUS);
    await svc?.close();
    await nats.cleanup(bus?.nc.isClosed() ? undefined : bus);
    await db.drop();
  });

  it('answers {"merge": false} with the issuers and their trust', async () => {
    const response = await fetch(`${svc.url}/capabilities`);
    expect(await response.json()).toMatchObject({
      service: 'excititor',
      merge: false,
      issuers: expect.arrayContaining([{ id: 'vendor', trust: 80, signedOnly: false }]),
    });
    expect(
      (
        await call(
          'POST',
          '/api/v1/vex',
          { documents: [{ document: openVex('Stella Scanner', 'under_investigation') }] },
          reader,
        )
      ).status,
    ).toBe(403);
  });

  it('a signed, trusted not_affected changes the consensus and the explanation says why', async () => {
    const first = await call('POST', '/api/v1/vex', {
      documents: [
        { name: 'scanner.json', content: JSON.stringify(openVex('Stella Scanner', 'under_investigation')) },
      ],
    });
    expect(first.body.results[0]).toMatchObject({
      outcome: 'stored',
      issuer: 'scanner',
      signed: false,
      changes: [{ status: 'under_investigation', previousStatus: null }],
    });
    expect((await consensus()).status).toBe('under_investigation');

    const vendorDoc = openVex(
      'Example Vendor PSIRT',
      'not_affected',
      { justification: 'vulnerable_code_not_in_execute_path' },
      '2024-02-01T00:00:00Z',
    );
    const second = await call('POST', '/api/v1/vex', {
      documents: [{ name: 'vendor.dsse.json', document: await signed(vendorDoc, vendorKey) }],
    });
    expect(second.body.results[0]).toMatchObject({
      outcome: 'stored',
      issuer: 'vendor',
      signed: true,
      changes: [
        {
          vulnerabilityId: 'CVE-2021-44228',
          productKey: PRODUCT,
          status: 'not_affected',
          previousStatus: 'under_investigation',
        },
      ],
    });
    const result = await consensus();
    expect(result.status).toBe('not_affected');
    expect(result.summary).toBe(
      "not_affected (vulnerable_code_not_in_execute_path) from vendor (trust 80); outranks scanner's under_investigation",
    );
    expect(result.statements.map((s) => [s.issuer, s.signed, s.used, s.reason])).toEqual([
      ['vendor', true, true, 'definitive statement from the most trusted issuer(s) (trust 80)'],
      ['scanner', false, false, 'under_investigation is outranked by a definitive statement from vendor'],
    ]);
    // The same statement found by the GHSA alias.
    const byAlias = await call(
      'GET',
      `/api/v1/consensus?vulnerability=GHSA-jfh8-c2jp-5v3q&product=${encodeURIComponent(PRODUCT)}`,
      undefined,
      reader,
    );
    expect(byAlias.body.status).toBe('not_affected');

    const bus = svc.app.get<Bus>(STELLA_BUS);
    const stream = `${nats.streamPrefix}_VEX`;
    let messages = 0;
    for (let i = 0; i < 200 && messages < 2; i++) {
      messages = (await bus.jsm.streams.info(stream)).state.messages;
      if (messages < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(messages).toBe(2);
    const event = decodeEvent((await bus.jsm.streams.getMessage(stream, { seq: 2 })).data);
    expect(event).toMatchObject({
      type: 'stella.vex.updated',
      data: {
        status: 'not_affected',
        previousStatus: 'under_investigation',
        productKey: PRODUCT,
        actor: { type: 'client', id: 'vex-bot' },
      },
    });
  });

  it('equally trusted issuers that disagree give a conflict, never a silent pick', async () => {
    const peer = await call('POST', '/api/v1/vex', {
      documents: [
        {
          document: openVex(
            'Peer Distributor',
            'affected',
            { action_statement: 'Upgrade to 1.0.1' },
            '2024-03-01T00:00:00Z',
          ),
        },
      ],
    });
    expect(peer.body.results[0]).toMatchObject({
      outcome: 'stored',
      changes: [{ status: 'conflict', previousStatus: 'not_affected' }],
    });
    const result = await consensus();
    expect(result.status).toBe('conflict');
    expect(result.summary).toBe(
      'conflict: equally trusted issuers disagree (trust 80): peer says affected; vendor says not_affected',
    );
  });

  it('one bad document never sinks a batch: forged signatures, schema failures, bad JSON and unsigned docs of signed-only issuers are refused one by one', async () => {
    const cisa = await readFile(
      join(SHARED_VEX, 'cyclonedx/bom-examples/VEX/CISA-Use-Cases/Case-4/vex.json'),
      'utf8',
    );
    const batch = await call('POST', '/api/v1/vex', {
      documents: [
        {
          name: 'forged.json',
          document: await signed(openVex('Example Vendor PSIRT', 'fixed'), strangerKey),
        },
        { name: 'cisa-case-4.json', content: cisa },
        { name: 'broken.json', content: '{"@context": ' },
        { name: 'bad-status.json', document: openVex('Stella Scanner', 'maybe') },
        { name: 'unsigned-strict.json', document: openVex('Strict Issuer', 'fixed') },
      ],
    });
    expect(batch.status).toBe(200);
    expect(
      batch.body.results.map((r) => [r.name, r.outcome, (r.issues as Array<{ code: string }>)[0]?.code]),
    ).toEqual([
      ['forged.json', 'refused', 'SIGNATURE_INVALID'],
      ['cisa-case-4.json', 'stored', 'UNKNOWN_ISSUER'],
      ['broken.json', 'refused', 'MALFORMED_JSON'],
      ['bad-status.json', 'refused', 'SCHEMA_VIOLATION'],
      ['unsigned-strict.json', 'refused', 'SIGNATURE_INVALID'],
    ]);
    expect((batch.body.results[3]!.issues as Array<{ field: string }>)[0]!.field).toBe(
      'statements[0].status',
    );
  });

  it('re-ingesting the same bytes changes nothing, and the database refuses to rewrite statements', async () => {
    const cisa = await readFile(
      join(SHARED_VEX, 'cyclonedx/bom-examples/VEX/CISA-Use-Cases/Case-4/vex.json'),
      'utf8',
    );
    const again = await call('POST', '/api/v1/vex', { documents: [{ content: cisa }] });
    expect(again.body.results[0]).toMatchObject({ outcome: 'unchanged', changes: [] });
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE "${db.schema}".vex_statement SET status = 'fixed'`)).rejects.toThrow(
        /immutable/,
      );
      await expect(client.query(`DELETE FROM "${db.schema}".vex_document`)).rejects.toThrow(/immutable/);
    } finally {
      await client.end();
    }
    expect((await consensus()).status).toBe('conflict');
  });
});

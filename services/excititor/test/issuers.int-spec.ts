import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createKeySigner, signEnvelope, serializeEnvelope } from '@stella/attest';
import type { Bus } from '@stella/bus';
import { decodeEvent } from '@stella/contracts';
import { STELLA_BUS, type ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  createTestTokenIssuer,
  migrateTestSchema,
  testServiceConfig,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';
import { excititorConfigSchema, excititorMigrations, excititorRootModule } from '../src';

jest.setTimeout(120_000);

const PRODUCT = 'pkg:npm/shop-api@2.0.0';
const VULN = 'CVE-2024-0001';

const openVex = (author: string, status: string, timestamp: string) => ({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': `https://vex.example.com/${randomUUID()}`,
  author,
  timestamp,
  version: 1,
  statements: [
    {
      vulnerability: { name: VULN },
      products: [{ '@id': PRODUCT }],
      status,
      ...(status === 'not_affected' ? { justification: 'vulnerable_code_not_present' } : {}),
      ...(status === 'affected' ? { action_statement: 'Upgrade to 2.0.1' } : {}),
    },
  ],
});

interface ApiBody {
  [key: string]: unknown;
  issuers: Array<{ id: string; source: string }>;
  results: Array<Record<string, unknown>>;
  detail?: string;
}

describe('excititor issuer registry (real Postgres + JetStream)', () => {
  let db: TestSchema;
  let nats: TestNatsPrefix;
  let svc: ServiceApp;
  let admin: string;
  let writer: string;
  const tokens = createTestTokenIssuer({ scope: '', clientId: 'ops', tenant: 'acme' });
  const teamKey = generateKeyPairSync('ed25519');
  const teamPem = teamKey.publicKey.export({ format: 'pem', type: 'spki' }).toString();

  const token = (scope: string) => tokens.mint({ scope });
  const call = async (method: string, path: string, body?: unknown, bearer = admin) => {
    const response = await fetch(`${svc.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: (text ? JSON.parse(text) : {}) as ApiBody,
    };
  };
  const consensus = async () =>
    (
      await call(
        'GET',
        `/api/v1/consensus?vulnerability=${VULN}&product=${encodeURIComponent(PRODUCT)}`,
        undefined,
        writer,
      )
    ).body as unknown as {
      status: string;
      summary: string;
      statements: Array<{ issuer: string; trust: number }>;
    };
  const signed = async (doc: unknown, key: KeyObject) =>
    JSON.parse(
      serializeEnvelope(
        await signEnvelope(Buffer.from(JSON.stringify(doc)), 'application/vnd.openvex+json', [
          createKeySigner(key, { keyId: 'team-key' }),
        ]),
      ),
    ) as Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestSchema('excititor_issuers');
    nats = createTestNatsPrefix();
    await migrateTestSchema(db, excititorMigrations);
    svc = await bootTestApp({
      service: 'excititor',
      module: excititorRootModule({ verifier: tokens.verifier }),
      config: excititorConfigSchema.parse({
        ...testServiceConfig(db, nats),
        excititorIssuers: [{ id: 'upstream', trust: 50, authors: ['Upstream Maintainers'] }],
      }),
    });
    admin = await token('vex:admin vex:read');
    writer = await token('vex:write vex:read');
  });

  afterAll(async () => {
    const bus = svc?.app.get<Bus>(STELLA_BUS);
    await svc?.close();
    await nats.cleanup(bus?.nc.isClosed() ? undefined : bus);
    await db.drop();
  });

  it('refuses changes without vex:admin (403) and configured issuers (409 naming the config key)', async () => {
    const body = { trust: 90, publicKeys: [{ keyId: 'team-key', publicKeyPem: teamPem }] };
    const forbidden = await call('PUT', '/api/v1/issuers/team', body, writer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.contentType).toMatch(/application\/problem\+json/);
    expect((await call('DELETE', '/api/v1/issuers/team', undefined, writer)).status).toBe(403);

    const configured = await call('PUT', '/api/v1/issuers/upstream', body);
    expect(configured.status).toBe(409);
    expect(configured.contentType).toMatch(/application\/problem\+json/);
    expect(configured.body.detail).toMatch(/STELLA_EXCITITOR_ISSUERS/);
    expect((await call('DELETE', '/api/v1/issuers/upstream')).status).toBe(409);
  });

  it('refuses a bad PEM with a problem+json naming the field', async () => {
    const bad = await call('PUT', '/api/v1/issuers/team', {
      trust: 90,
      publicKeys: [{ publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual([
      { path: 'publicKeys[0].publicKeyPem', message: expect.stringMatching(/not a PEM public key/) },
    ]);
    const mismatch = await call('PUT', '/api/v1/issuers/team', { id: 'other', trust: 1 });
    expect(mismatch.status).toBe(400);
    expect((await call('GET', '/api/v1/issuers')).body.issuers.map((i) => i.id)).toEqual(['upstream']);
  });

  it('a runtime-registered issuer makes its signed OpenVEX count; trust changes and deletion apply at once, audited', async () => {
    const affected = await call(
      'POST',
      '/api/v1/vex',
      { documents: [{ document: openVex('Upstream Maintainers', 'affected', '2024-01-01T00:00:00Z') }] },
      writer,
    );
    expect(affected.body.results[0]).toMatchObject({ outcome: 'stored', issuer: 'upstream' });
    expect((await consensus()).status).toBe('affected');

    // Unknown to excititor: the signed statement is refused (no issuer's key verifies it).
    const teamDoc = await signed(
      openVex('Shop Security', 'not_affected', '2024-02-01T00:00:00Z'),
      teamKey.privateKey,
    );
    const before = await call('POST', '/api/v1/vex', { documents: [{ document: teamDoc }] }, writer);
    expect(before.body.results[0]).toMatchObject({ outcome: 'refused' });

    const created = await call('PUT', '/api/v1/issuers/shop-security', {
      trust: 90,
      authors: ['Shop Security'],
      publicKeys: [{ keyId: 'team-key', publicKeyPem: teamPem }],
      requireSignature: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'shop-security',
      source: 'runtime',
      trust: 90,
      requireSignature: true,
      changed: true,
      updatedBy: 'client:ops',
      publicKeys: [{ keyId: 'team-key', fingerprint: expect.stringMatching(/^sha256:/) }],
    });
    const again = await call('PUT', '/api/v1/issuers/shop-security', {
      trust: 90,
      authors: ['Shop Security'],
      publicKeys: [{ keyId: 'team-key', publicKeyPem: teamPem }],
      requireSignature: true,
    });
    expect(again).toMatchObject({ status: 200, body: { changed: false } });

    const listed = await call('GET', '/api/v1/issuers', undefined, writer);
    expect(listed.body.issuers.map((i) => [i.id, i.source])).toEqual([
      ['upstream', 'config'],
      ['shop-security', 'runtime'],
    ]);
    const capabilities = (await (await fetch(`${svc.url}/capabilities`)).json()) as { issuers: unknown[] };
    expect(capabilities.issuers).toContainEqual({ id: 'shop-security', trust: 90, signedOnly: true });

    const stored = await call('POST', '/api/v1/vex', { documents: [{ document: teamDoc }] }, writer);
    expect(stored.body.results[0]).toMatchObject({
      outcome: 'stored',
      issuer: 'shop-security',
      signed: true,
      changes: [{ status: 'not_affected', previousStatus: 'affected' }],
    });
    expect(await consensus()).toMatchObject({ status: 'not_affected' });
    // Signed-only: the same author unsigned is refused.
    const unsigned = await call(
      'POST',
      '/api/v1/vex',
      { documents: [{ document: openVex('Shop Security', 'not_affected', '2024-03-01T00:00:00Z') }] },
      writer,
    );
    expect(unsigned.body.results[0]).toMatchObject({ outcome: 'refused' });

    // Consensus is computed at query time: lowering trust changes it for stored statements at once.
    const lowered = await call('PUT', '/api/v1/issuers/shop-security', {
      trust: 50,
      authors: ['Shop Security'],
      publicKeys: [{ keyId: 'team-key', publicKeyPem: teamPem }],
      requireSignature: true,
    });
    expect(lowered.status).toBe(200);
    expect((await consensus()).status).toBe('conflict');

    expect((await call('DELETE', '/api/v1/issuers/shop-security')).status).toBe(204);
    expect((await call('DELETE', '/api/v1/issuers/shop-security')).status).toBe(404);
    const after = await consensus();
    expect(after.status).toBe('affected');
    expect(after.statements.find((s) => s.issuer === 'shop-security')).toMatchObject({ trust: 0 });

    const bus = svc.app.get<Bus>(STELLA_BUS);
    const stream = `${nats.streamPrefix}_VEX`;
    const audit: Array<Record<string, unknown>> = [];
    const updates: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 200 && audit.length < 3; i++) {
      audit.length = 0;
      updates.length = 0;
      const last = (await bus.jsm.streams.info(stream)).state.last_seq;
      for (let seq = 1; seq <= last; seq++) {
        const event = decodeEvent((await bus.jsm.streams.getMessage(stream, { seq })).data);
        if (event.type === 'stella.vex.issuer.updated') audit.push(event.data as Record<string, unknown>);
        if (event.type === 'stella.vex.updated') updates.push(event.data as Record<string, unknown>);
      }
      if (audit.length < 3) await new Promise((r) => setTimeout(r, 50));
    }
    // Ingests (affected; team's not_affected), then one per trust change that moved the consensus.
    expect(updates.map((u) => [u.previousStatus, u.status])).toEqual([
      [null, 'affected'],
      ['affected', 'not_affected'],
      ['not_affected', 'conflict'],
      ['conflict', 'affected'],
    ]);
    expect(updates[2]).toMatchObject({
      vulnerabilityId: VULN,
      productKey: PRODUCT,
      documentHash: stored.body.results[0]!.documentHash,
      actor: { type: 'client', id: 'ops' },
    });
    expect(audit).toEqual([
      expect.objectContaining({
        issuerId: 'shop-security',
        action: 'created',
        trust: 90,
        previousTrust: null,
      }),
      expect.objectContaining({ action: 'updated', trust: 50, previousTrust: 90 }),
      expect.objectContaining({ action: 'deleted', trust: null, previousTrust: 50, keyFingerprints: [] }),
    ]);
    expect(audit[0]).toMatchObject({ actor: { type: 'client', id: 'ops' }, tenantId: 'acme' });
  });
});

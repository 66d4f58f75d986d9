import { pushTestImage, type PushedTestImage } from '@stella/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { startOrchestrator, type OrchestratorHarness } from './orchestrator-harness';

describe('orchestrator releases against a real registry', () => {
  let h: OrchestratorHarness;
  let api: PushedTestImage;
  let web: PushedTestImage;

  beforeAll(async () => {
    h = await startOrchestrator();
    api = await pushTestImage(h.registry, { repo: 'acme/api', tag: '1.4.2', files: { 'app.txt': 'api 1.4.2' } });
    web = await pushTestImage(h.registry, { repo: 'acme/web', tag: '2.0.0', files: { 'index.html': '<p>web</p>' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('resolves tags to digests, stores only digests, and names the release by its manifest digest', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: {
        name: 'shop',
        version: '1.0.0',
        components: [
          { name: 'api', repository: `${h.registry.host}/acme/api`, tag: '1.4.2' },
          { name: 'web', repository: `${h.registry.host}/acme/web`, tag: '2.0.0' },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.components.map((c: { digest: string }) => c.digest)).toEqual([api.digest, web.digest]);
    expect(res.body.id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(res.body.manifest.components).toEqual([
      { name: 'api', repository: `${h.registry.host}/acme/api`, digest: api.digest },
      { name: 'web', repository: `${h.registry.host}/acme/web`, digest: web.digest },
    ]);
    const byId = await h.api('GET', `/api/v1/releases/${res.body.id}`);
    expect(byId.body.version).toBe('1.0.0');
    const byVersion = await h.api('GET', '/api/v1/releases/shop/versions/1.0.0');
    expect(byVersion.body.id).toBe(res.body.id);
  });

  it('answers 422 naming the tag for a non-existent tag, and creates nothing', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: { name: 'shop', version: '1.0.1', components: [{ name: 'api', tag: '9.9.9' }] },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'TAG_NOT_FOUND', tag: '9.9.9', component: 'api' });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const rows = await h.sql("SELECT count(*)::int AS n FROM releases WHERE version = '1.0.1'");
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('answers 422 for an unknown repository and creates no component', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: { name: 'ghost', version: '1.0.0', components: [{ name: 'ghost', repository: `${h.registry.host}/acme/ghost`, tag: '1.0.0' }] },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('REPOSITORY_NOT_FOUND');
    expect(await h.sql("SELECT name FROM components WHERE name = 'ghost'")).toEqual([]);
  });

  it('refuses invalid semver with 400 naming the field', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: { name: 'shop', version: 'v1.2', components: [{ name: 'api', tag: '1.4.2' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'version' })]);
  });

  it('answers 409 for a duplicate release version', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: { name: 'shop', version: '1.0.0', components: [{ name: 'api', tag: '1.4.2' }] },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'RELEASE_VERSION_EXISTS', name: 'shop', version: '1.0.0' });
  });

  it('fails hard when a pinned digest is not what the tag points to', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: { name: 'shop', version: '1.0.2', components: [{ name: 'api', tag: '1.4.2', digest: web.digest }] },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'TAG_DIGEST_MISMATCH', expected: web.digest, actual: api.digest });
  });

  it('reports registry content that does not hash to its digest as a tamper signal', async () => {
    const tampered = await pushTestImage(h.registry, { repo: 'acme/tampered', tag: '1.0.0', files: { 'a.txt': 'original' } });
    const path = h.registry.blobDataPath(tampered.digest);
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...manifest, annotations: { evil: 'yes' } }));
    const res = await h.api('POST', '/api/v1/releases', {
      body: {
        name: 'tampered',
        version: '1.0.0',
        components: [{ name: 'tampered', repository: `${h.registry.host}/acme/tampered`, digest: tampered.digest }],
      },
    });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'REGISTRY_DIGEST_MISMATCH', tamper: true });
    expect(await h.sql("SELECT name FROM releases WHERE name = 'tampered'")).toEqual([]);
  });

  it('answers 503 when the registry is down, with nothing half-created', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      body: { name: 'down', version: '1.0.0', components: [{ name: 'down', repository: '127.0.0.1:1/acme/down', tag: '1.0.0' }] },
    });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('REGISTRY_UNAVAILABLE');
    expect(await h.sql("SELECT name FROM components WHERE name = 'down'")).toEqual([]);
  });

  it('refuses malformed and oversized bodies', async () => {
    const malformed = await h.api('POST', '/api/v1/releases', { body: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('urn:stella:problem:malformed-body');
    const oversized = await h.api('POST', '/api/v1/releases', {
      body: { name: 'big', version: '1.0.0', components: [{ name: 'api', tag: '1.4.2' }], padding: 'x'.repeat(2_000_000) },
    });
    expect(oversized.status).toBe(413);
    const unknownField = await h.api('POST', '/api/v1/releases', {
      body: { name: 'shop', version: '3.0.0', components: [{ name: 'api', tag: '1.4.2' }], extra: true },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ path: 'extra', message: 'unknown property' }]);
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const body = { name: 'shop', version: '1.1.0', components: [{ name: 'api', tag: '1.4.2' }] };
    const first = await h.api('POST', '/api/v1/releases', { body, headers: { 'idempotency-key': 'rel-110' } });
    const again = await h.api('POST', '/api/v1/releases', { body, headers: { 'idempotency-key': 'rel-110' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await h.api('POST', '/api/v1/releases', {
      body: { ...body, version: '1.1.1' },
      headers: { 'idempotency-key': 'rel-110' },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('keeps tenants apart: another tenant sees none of these releases', async () => {
    const other = await h.api('GET', '/api/v1/releases', { as: { tenant: 'globex' } });
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
    const mine = await h.api('GET', '/api/v1/releases');
    const id = mine.body.items[0].id as string;
    const cross = await h.api('GET', `/api/v1/releases/${id}`, { as: { tenant: 'globex' } });
    expect(cross.status).toBe(404);
  });

  it('requires release:write to create and release:read to list', async () => {
    const res = await h.api('POST', '/api/v1/releases', {
      as: { scope: 'release:read' },
      body: { name: 'shop', version: '5.0.0', components: [{ name: 'api', tag: '1.4.2' }] },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
    const anonymous = await fetch(`${h.url}/api/v1/releases`);
    expect(anonymous.status).toBe(401);
  });

  it('pages releases with a cursor and refuses bad query parameters', async () => {
    const first = await h.api('GET', '/api/v1/releases?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await h.api('GET', `/api/v1/releases?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    const badLimit = await h.api('GET', '/api/v1/releases?limit=abc');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors).toEqual([{ path: 'limit', message: 'must be a positive integer' }]);
    const badCursor = await h.api('GET', '/api/v1/releases?cursor=nope');
    expect(badCursor.status).toBe(400);
    const badId = await h.api('GET', '/api/v1/releases/not-a-digest');
    expect(badId.status).toBe(400);
  });
});

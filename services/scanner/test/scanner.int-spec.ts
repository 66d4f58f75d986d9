import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { pushTestImage } from '@stella/testing';
import { Client as MinioClient } from 'minio';
import { createHash } from 'node:crypto';
import { headers as natsHeaders, type Msg, type Subscription } from 'nats';
import { PROTO_ROOT, SCANNER_PROTO, ScannerGrpcServer } from '../src/grpc/grpc-server';
import {
  craftLayer,
  pushRawLayerImage,
  SBOM_BUCKET,
  startScanner,
  type ScannerHarness,
} from './scanner-harness';

jest.setTimeout(180_000);

interface ScanBody {
  scanId: string;
  status: string;
  imageDigest: string;
  componentCount?: number;
  sboms?: { cyclonedx: { key: string; sha256: string }; spdx: { key: string; sha256: string } };
  error?: { code: string; message: string; refused: boolean };
}

describe('scanner service (real registry, JetStream work queue, s3rver, Postgres)', () => {
  let h: ScannerHarness;
  let token: string;
  let events: Array<{ type: string; data: Record<string, unknown> }>;
  let deadLetters: Msg[];
  let subscriptions: Subscription[];
  let image: { reference: string; digest: string };

  const call = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      json: json as Record<string, unknown>,
      text,
      headers: response.headers,
    };
  };

  const waitFor = async (scanId: string, statuses: string[]): Promise<ScanBody> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { json } = await call('GET', `/api/v1/scans/${scanId}`);
      const scan = json as unknown as ScanBody;
      if (statuses.includes(scan.status)) return scan;
      if (Date.now() > deadline) throw new Error(`scan ${scanId} still ${scan.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const scansExecuted = async (): Promise<number> => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    return [...text.matchAll(/^stella_scanner_scans_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };

  beforeAll(async () => {
    h = await startScanner();
    token = await h.tokens.mint();
    events = [];
    deadLetters = [];
    subscriptions = [
      h.nc.subscribe(`${h.nats.prefix}.scan.>`, {
        callback: (_e, msg) => {
          const event = JSON.parse(Buffer.from(msg.data).toString('utf8')) as {
            type: string;
            data: Record<string, unknown>;
          };
          events.push(event);
        },
      }),
      h.nc.subscribe(`${h.nats.prefix}.dlq.scanner-jobs`, { callback: (_e, msg) => deadLetters.push(msg) }),
    ];
    const pushed = await pushTestImage(h.registry, {
      repo: 'team/web',
      tag: 'v1',
      files: {
        '/etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
        '/srv/app/package.json': JSON.stringify({
          name: 'web',
          version: '1.0.0',
          dependencies: { lodash: '4.17.20' },
        }),
        '/srv/app/node_modules/lodash/package.json': JSON.stringify({
          name: 'lodash',
          version: '4.17.20',
          license: 'MIT',
        }),
        '/srv/app/node_modules/@scope/util/package.json': JSON.stringify({
          name: '@scope/util',
          version: '2.1.0',
        }),
      },
    });
    image = { reference: pushed.reference, digest: pushed.digest };
  });

  afterAll(async () => {
    for (const subscription of subscriptions ?? []) subscription.unsubscribe();
    await h?.close();
  });

  it('scans an image by digest exactly once through the queue, stores its SBOMs and indexes its components', async () => {
    const first = await call(
      'POST',
      '/api/v1/scans',
      { image: image.reference },
      { 'idempotency-key': 'ci-run-1' },
    );
    expect(first.status).toBe(202);
    const submitted = first.json as unknown as ScanBody;
    expect(submitted.imageDigest).toBe(image.digest);
    expect(first.headers.get('location')).toBe(`/api/v1/scans/${submitted.scanId}`);

    // While queued or running, the digest (by tag or by digest) returns the same scan and queues nothing.
    const again = await call('POST', '/api/v1/scans', {
      image: `${image.reference.split(':v1')[0]}@${image.digest}`,
    });
    expect([200, 202]).toContain(again.status);
    expect((again.json as unknown as ScanBody).scanId).toBe(submitted.scanId);
    expect(again.status).toBe(200);

    const done = await waitFor(submitted.scanId, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.componentCount).toBeGreaterThanOrEqual(3);

    // A later request for the digest returns the stored scan; the idempotency key replays.
    const later = await call('POST', '/api/v1/scans', { image: image.reference });
    expect(later.status).toBe(200);
    expect((later.json as unknown as ScanBody).scanId).toBe(submitted.scanId);
    const replay = await call(
      'POST',
      '/api/v1/scans',
      { image: image.reference },
      { 'idempotency-key': 'ci-run-1' },
    );
    expect((replay.json as unknown as ScanBody).scanId).toBe(submitted.scanId);
    const reused = await call(
      'POST',
      '/api/v1/scans',
      { image: image.reference, platform: 'linux/arm64' },
      { 'idempotency-key': 'ci-run-1' },
    );
    expect(reused.status).toBe(422);
    expect(reused.json.type).toBe('urn:stella:problem:idempotency-key-reused');
    // Let a wrongly queued second job (if any) run before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await scansExecuted()).toBe(1);

    // The SBOMs are in the bucket, byte for byte what the API serves, with the recorded sha256.
    const cdx = await call('GET', `/api/v1/images/${image.digest}/sbom?format=cyclonedx-json`);
    expect(cdx.status).toBe(200);
    expect(cdx.headers.get('content-type')).toContain('application/vnd.cyclonedx+json');
    expect(cdx.json.bomFormat).toBe('CycloneDX');
    expect(cdx.json.specVersion).toBe('1.6');
    const cdxSha = `sha256:${createHash('sha256').update(cdx.text).digest('hex')}`;
    expect(cdxSha).toBe(done.sboms!.cyclonedx.sha256);
    const spdx = await call('GET', `/api/v1/images/${image.digest}/sbom?format=spdx-json`);
    expect(spdx.status).toBe(200);
    expect(String(spdx.json['@context'])).toContain('spdx.org/rdf/3.0.1');
    const minio = new MinioClient({
      endPoint: h.s3.host,
      port: h.s3.port,
      useSSL: false,
      accessKey: h.s3.accessKey,
      secretKey: h.s3.secretKey,
      pathStyle: true,
      region: h.s3.region,
    });
    const stat = await minio.statObject(SBOM_BUCKET, done.sboms!.cyclonedx.key);
    expect(stat.size).toBe(Buffer.byteLength(cdx.text));
    await minio.statObject(SBOM_BUCKET, done.sboms!.spdx.key);

    // Components by image, and images by package and range (native, vers:, bulk).
    const components = await call('GET', `/api/v1/images/${image.digest}/components`);
    const purls = (components.json.components as Array<{ purl: string; path: string }>).map((c) => c.purl);
    expect(purls).toEqual(expect.arrayContaining(['pkg:npm/lodash@4.17.20', 'pkg:npm/%40scope/util@2.1.0']));
    const page1 = await call('GET', `/api/v1/images/${image.digest}/components?limit=1`);
    expect(page1.json.components).toHaveLength(1);
    const page2 = await call(
      'GET',
      `/api/v1/images/${image.digest}/components?limit=1000&cursor=${String(page1.json.nextCursor)}`,
    );
    expect((page2.json.components as unknown[]).length).toBe(purls.length - 1);
    expect(page2.json.nextCursor).toBeUndefined();
    expect((await call('GET', `/api/v1/images/${image.digest}/components?cursor=bogus`)).status).toBe(400);
    const inRange = await call(
      'GET',
      `/api/v1/components?purl=${encodeURIComponent('pkg:npm/lodash')}&range=${encodeURIComponent('<4.17.21')}`,
    );
    expect(inRange.status).toBe(200);
    expect(inRange.json.images).toEqual([{ imageDigest: image.digest, versions: ['4.17.20'] }]);
    const outOfRange = await call(
      'GET',
      `/api/v1/components?purl=pkg:npm/lodash&range=${encodeURIComponent('>=4.17.21')}`,
    );
    expect(outOfRange.json.images).toEqual([]);
    const vers = await call(
      'GET',
      `/api/v1/components?purl=${encodeURIComponent('pkg:npm/@scope/util')}&range=${encodeURIComponent('vers:npm/>=2.0.0|<2.2.0')}`,
    );
    expect(vers.json.images).toEqual([{ imageDigest: image.digest, versions: ['2.1.0'] }]);
    const bulk = await call('POST', '/api/v1/components/query', {
      packages: [{ purl: 'pkg:npm/lodash', range: '>=4.0.0 <4.17.21' }, { purl: 'pkg:npm/left-pad' }],
    });
    expect(bulk.status).toBe(200);
    const results = bulk.json.results as Array<{ purl: string; images: unknown[] }>;
    expect(results[0]!.images).toEqual([{ imageDigest: image.digest, versions: ['4.17.20'] }]);
    expect(results[1]!.images).toEqual([]);
    const badRange = await call(
      'GET',
      `/api/v1/components?purl=pkg:npm/lodash&range=${encodeURIComponent('>>>nonsense')}`,
    );
    expect(badRange.status).toBe(400);
    const badPurl = await call('GET', '/api/v1/components?purl=npm-lodash');
    expect(badPurl.status).toBe(400);

    // stella.scan.completed went out through the outbox, with the stored objects' digests.
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.type === 'stella.scan.completed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const completed = events.find((e) => e.type === 'stella.scan.completed');
    expect(completed?.data).toMatchObject({
      tenantId: 'acme',
      scanId: submitted.scanId,
      imageDigest: image.digest,
      platformDigest: image.digest,
      platform: 'linux/amd64',
      componentCount: done.componentCount,
      sboms: {
        cyclonedx: { sha256: done.sboms!.cyclonedx.sha256 },
        spdx: { sha256: done.sboms!.spdx.sha256 },
      },
    });
    expect(events.filter((e) => e.type === 'stella.scan.requested')).toHaveLength(1);
  });

  it('refuses a crafted layer escaping the root, records the failure and dead-letters the job at once', async () => {
    const layer = await craftLayer([
      { name: 'etc/os-release', content: 'ID=alpine\n' },
      { name: '../../outside/evil.sh', content: '#!/bin/sh\n' },
    ]);
    const evil = await pushRawLayerImage(h.registry, 'team/evil', 'v1', layer);
    const submitted = await call('POST', '/api/v1/scans', {
      image: `${h.registry.host}/team/evil@${evil.digest}`,
    });
    expect(submitted.status).toBe(202);
    const scan = await waitFor((submitted.json as unknown as ScanBody).scanId, ['completed', 'failed']);
    expect(scan.status).toBe('failed');
    expect(scan.error).toMatchObject({ code: 'UNSAFE_PATH', refused: true });
    expect(scan.error!.message).toMatch(/\.\./);

    const deadline = Date.now() + 10_000;
    while (
      (deadLetters.length === 0 || !events.some((e) => e.type === 'stella.scan.failed')) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.headers?.get('Stella-Dlq-Error-Code')).toBe('UNSAFE_PATH');
    expect(deadLetters[0]!.headers?.get('Stella-Dlq-Error')).toMatch(/outside\/evil\.sh/);
    const failed = events.find((e) => e.type === 'stella.scan.failed');
    expect(failed?.data).toMatchObject({
      imageDigest: evil.digest,
      code: 'UNSAFE_PATH',
      refused: true,
      attempts: 1,
    });

    // Asking again returns the refusal; nothing is queued or scanned again.
    const again = await call('POST', '/api/v1/scans', { image: `${h.registry.host}/team/evil:v1` });
    expect(again.status).toBe(200);
    expect((again.json as unknown as ScanBody).status).toBe('failed');
    expect(events.filter((e) => e.type === 'stella.scan.requested')).toHaveLength(2);
  });

  it('serves the same use cases over gRPC and NATS request/reply', async () => {
    const definition = protoLoader.loadSync(SCANNER_PROTO, {
      includeDirs: [PROTO_ROOT],
      longs: Number,
      defaults: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      stella: { scanner: { v1: { ScannerService: grpc.ServiceClientConstructor } } };
    };
    const port = h.svc.app.get(ScannerGrpcServer).port;
    const client = new loaded.stella.scanner.v1.ScannerService(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const unary = <T>(method: string, request: unknown, md = metadata) =>
      new Promise<T>((resolve, reject) =>
        (client[method] as (r: unknown, m: grpc.Metadata, cb: (e: Error | null, v: T) => void) => void).call(
          client,
          request,
          md,
          (error, value) => (error ? reject(error) : resolve(value)),
        ),
      );
    try {
      const submitted = await unary<{ scan: { scanId: string; status: string }; queued: boolean }>(
        'SubmitScan',
        {
          image: image.reference,
        },
      );
      expect(submitted.queued).toBe(false);
      expect(submitted.scan.status).toBe('completed');
      const sbom = await unary<{ content: Buffer; sha256: string }>('GetSbom', {
        imageDigest: image.digest,
        format: 'spdx-json',
      });
      expect(`sha256:${createHash('sha256').update(sbom.content).digest('hex')}`).toBe(sbom.sha256);
      const byPurl = await unary<{ images: Array<{ imageDigest: string }> }>('ListComponents', {
        purl: 'pkg:npm/lodash',
        range: 'vers:npm/<4.17.21',
      });
      expect(byPurl.images.map((i) => i.imageDigest)).toEqual([image.digest]);
      const byImage = await unary<{ components: Array<{ purl: string }> }>('ListComponents', {
        imageDigest: image.digest,
      });
      expect(byImage.components.map((c) => c.purl)).toContain('pkg:npm/lodash@4.17.20');
      await expect(
        unary('GetScan', { scanId: '00000000-0000-4000-8000-000000000000' }),
      ).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
      });
      await expect(
        unary('GetScan', { scanId: submitted.scan.scanId }, new grpc.Metadata()),
      ).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
    } finally {
      client.close();
    }

    const h2 = natsHeaders();
    h2.set('Authorization', `Bearer ${token}`);
    const reply = await h.nc.request(
      `${h.nats.prefix}.scanner.submit`,
      Buffer.from(JSON.stringify({ image: `${h.registry.host}/team/web@${image.digest}` })),
      { headers: h2, timeout: 10_000 },
    );
    const answer = JSON.parse(Buffer.from(reply.data).toString('utf8')) as {
      ok: boolean;
      result: { queued: boolean; scan: { status: string } };
    };
    expect(answer).toMatchObject({ ok: true, result: { queued: false, scan: { status: 'completed' } } });
    const refused = await h.nc.request(`${h.nats.prefix}.scanner.submit`, Buffer.from('{}'), {
      timeout: 10_000,
    });
    expect(JSON.parse(Buffer.from(refused.data).toString('utf8'))).toMatchObject({
      ok: false,
      error: { status: 401 },
    });
    expect(await scansExecuted()).toBe(2);
  });
});

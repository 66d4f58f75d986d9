import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@stella/oci';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestSchema,
  createTestTokenIssuer,
  startTestRegistry,
  startTestS3,
  type TestNatsPrefix,
  type TestRegistry,
  type TestS3,
  type TestSchema,
  type TestTokenIssuer,
  migrateTestSchema,
  testServiceConfig,
} from '@stella/testing';
import { connect, type NatsConnection } from 'nats';
import * as tar from 'tar-stream';
import { scannerConfigSchema, type ScannerConfig } from '../src/config/scanner-config';
import { scannerMigrations } from '../src/migrations';
import { createScannerModule } from '../src/scanner.module';

export const SBOM_BUCKET = 'scanner-sboms';

export interface ScannerHarness {
  svc: ServiceApp;
  /** Stops the service and boots a new process-equivalent one on the same schema, bucket and cache directory. */
  restart(): Promise<void>;
  url: string;
  config: ScannerConfig;
  schema: TestSchema;
  nats: TestNatsPrefix;
  nc: NatsConnection;
  registry: TestRegistry;
  s3: TestS3;
  tokens: TestTokenIssuer;
  cacheDir: string;
  close(): Promise<void>;
}

export async function startScanner(overrides: Partial<ScannerConfig> = {}): Promise<ScannerHarness> {
  const schema = await createTestSchema('scanner');
  const nats = createTestNatsPrefix();
  const registry = await startTestRegistry();
  const s3 = await startTestS3();
  const cacheDir = mkdtempSync(join(tmpdir(), 'stella-scanner-cache-'));
  const tokens = createTestTokenIssuer({ scope: 'scan:write scan:read' });
  const config = scannerConfigSchema.parse({
    ...testServiceConfig(schema, nats),
    scannerCacheDir: cacheDir,
    scannerS3Endpoint: s3.endpoint,
    scannerS3Region: s3.region,
    scannerS3Bucket: SBOM_BUCKET,
    scannerS3AccessKey: s3.accessKey,
    scannerS3SecretKey: s3.secretKey,
    scannerGrpcPort: 0,
    scannerMaxAttempts: 2,
    scannerRetryBackoffMs: [200],
    ...overrides,
  });
  await migrateTestSchema(schema, scannerMigrations, 'stella-scanner-test-migrate');
  const nc = await connect({ servers: nats.servers });
  const boot = () =>
    bootTestApp({
      service: 'scanner',
      module: createScannerModule({ verifier: tokens.verifier }),
      config,
    });
  const harness: ScannerHarness = {
    svc: await boot(),
    url: '',
    async restart() {
      await harness.svc.close();
      harness.svc = await boot();
      harness.url = harness.svc.url;
    },
    config,
    schema,
    nats,
    nc,
    registry,
    s3,
    tokens,
    cacheDir,
    async close() {
      await harness.svc.close();
      await nats.cleanup();
      await nc.close();
      await schema.drop();
      await registry.stop();
      await s3.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
  harness.url = harness.svc.url;
  return harness;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** One uncompressed tar layer from raw entries (names are written exactly as given, `..` included). */
export async function craftLayer(
  entries: Array<{ name: string; content?: string; type?: 'file' | 'symlink'; linkname?: string }>,
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    if (entry.type === 'symlink')
      pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname ?? '' });
    else pack.entry({ name: entry.name, mode: 0o644 }, entry.content ?? '');
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Pushes a single-layer OCI image whose layer is given as raw tar bytes (for content the image
 * tools would refuse to build, e.g. entries escaping the root), through the real registry API.
 */
export async function pushRawLayerImage(
  registry: TestRegistry,
  repository: string,
  tag: string,
  layer: Buffer,
  labels: Record<string, string> = {},
): Promise<{ reference: string; digest: string }> {
  const client = new RegistryClient({});
  try {
    const repo = `${registry.host}/${repository}`;
    const layerDigest = sha256(layer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layerDigest] },
        config: { Labels: labels },
      }),
    );
    await client.pushBlob(repo, layer);
    await client.pushBlob(repo, config);
    const pushed = await client.pushManifest(
      `${repo}:${tag}`,
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256(config),
          size: config.length,
        },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length },
        ],
      },
      'application/vnd.oci.image.manifest.v1+json',
    );
    return { reference: `${repo}:${tag}`, digest: pushed.digest };
  } finally {
    await client.close();
  }
}

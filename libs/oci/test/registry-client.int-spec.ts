import { readFile, writeFile } from 'node:fs/promises';
import {
  pushTestImage,
  startTestRegistry,
  type PushedTestImage,
  type TestRegistry,
} from '../../testing/src/registry';
import { canonicalBytes } from '@stella/canonical';
import { MediaTypes, OciError, RegistryClient, attestationTag, digestOf, type ImageManifest } from '../src';

async function caught(promise: Promise<unknown>): Promise<OciError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OciError) return error;
    throw error;
  }
  throw new Error('expected an OciError, got success');
}

/** Flips one byte in place: same length, different hash, as a silent storage corruption would. */
async function corruptFile(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
}

describe('RegistryClient against a real registry (no auth)', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let ociImage: PushedTestImage;
  let dockerImage: PushedTestImage;
  let multiArch: PushedTestImage;

  beforeAll(async () => {
    registry = await startTestRegistry();
    client = new RegistryClient({ retries: 1, retryBaseDelayMs: 0 });
    ociImage = await pushTestImage(registry, {
      repo: 'team/oci-app',
      tag: 'v1',
      files: { 'etc/app.conf': 'mode=oci\n' },
    });
    dockerImage = await pushTestImage(registry, {
      repo: 'team/docker-app',
      tag: 'v1',
      files: { 'etc/app.conf': 'mode=docker\n' },
      format: 'v2s2',
    });
    multiArch = await pushTestImage(registry, {
      repo: 'team/multi',
      tag: '2.0',
      files: { 'etc/app.conf': 'mode=multi\n' },
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
  });

  afterAll(async () => {
    await client?.close();
    await registry?.stop();
  });

  it('resolves a tag of an OCI image manifest to the digest the registry serves', async () => {
    const resolved = await client.resolve(ociImage.reference);
    expect(resolved.digest).toBe(ociImage.digest);
    expect(resolved.mediaType).toBe(MediaTypes.ociManifest);
    expect(resolved.platforms).toBeUndefined();
    expect(resolved.reference).toEqual({
      registry: registry.host,
      repository: 'team/oci-app',
      tag: 'v1',
      digest: ociImage.digest,
    });
    expect(resolved.size).toBeGreaterThan(0);
  });

  it('resolves a Docker v2 schema 2 manifest without a schema-1 downgrade', async () => {
    expect(dockerImage.mediaType).toBe(MediaTypes.dockerManifest);
    const resolved = await client.resolve(dockerImage.reference);
    expect(resolved.mediaType).toBe(MediaTypes.dockerManifest);
    expect(resolved.digest).toBe(dockerImage.digest);
  });

  it('resolves an OCI index with the digest of every platform manifest', async () => {
    const resolved = await client.resolve(multiArch.reference);
    expect(resolved.mediaType).toBe(MediaTypes.ociIndex);
    expect(resolved.digest).toBe(multiArch.digest);
    expect(resolved.platforms?.map((entry) => [entry.platform, entry.digest])).toEqual(
      multiArch.platforms?.map((entry) => [entry.platform, entry.digest]),
    );

    const arm = await client.resolve(multiArch.reference, { platform: 'linux/arm64' });
    expect(arm.digest).toBe(multiArch.digest);
    expect(arm.platformManifest?.digest).toBe(multiArch.platforms?.[1]?.digest);
    expect(arm.platformManifest?.platform).toEqual({ os: 'linux', architecture: 'arm64' });

    const missing = await caught(client.resolve(multiArch.reference, { platform: 'linux/s390x' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.details.available).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('checks the platform of a single-platform image against its config', async () => {
    const amd = await client.resolve(ociImage.reference, {
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(amd.platformManifest).toEqual({
      platform: { os: 'linux', architecture: 'amd64' },
      digest: ociImage.digest,
      mediaType: MediaTypes.ociManifest,
      size: amd.size,
    });
    expect((await caught(client.resolve(ociImage.reference, { platform: 'linux/arm64' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('resolves by digest and fetches manifests and verified blobs', async () => {
    const byDigest = await client.resolve(`${registry.host}/team/oci-app@${ociImage.digest}`);
    expect(byDigest.digest).toBe(ociImage.digest);

    const fetched = await client.getManifest(`${registry.host}/team/oci-app:v1`);
    expect(fetched.kind).toBe('image');
    expect(digestOf(fetched.bytes)).toBe(ociImage.digest);
    const manifest = fetched.manifest as ImageManifest;
    const config = JSON.parse(
      (await client.readBlob(`${registry.host}/team/oci-app`, manifest.config.digest)).toString('utf8'),
    ) as { architecture: string };
    expect(config.architecture).toBe('amd64');

    const layer = manifest.layers[0];
    expect(layer).toBeDefined();
    const blob = await client.getBlob(`${registry.host}/team/oci-app`, layer!.digest, {
      expectedSize: layer!.size,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of blob.stream) chunks.push(chunk as Buffer);
    expect(digestOf(Buffer.concat(chunks))).toBe(layer!.digest);
    expect(blob.size).toBe(layer!.size);

    expect(await client.headBlob(`${registry.host}/team/oci-app`, layer!.digest)).toEqual({
      digest: layer!.digest,
      size: layer!.size,
    });
    expect(
      await client.headBlob(`${registry.host}/team/oci-app`, digestOf(Buffer.from('absent'))),
    ).toBeNull();
  });

  it('names the missing tag', async () => {
    const error = await caught(client.resolve(`${registry.host}/team/oci-app:nope`));
    expect(error.code).toBe('TAG_UNKNOWN');
    expect(error.message).toContain('nope');
    expect(error.details.tag).toBe('nope');
    expect(error.registryErrors.map((entry) => entry.code)).toContain('MANIFEST_UNKNOWN');
  });

  it('reports an unknown repository as NOT_FOUND and an unknown digest as MANIFEST_UNKNOWN', async () => {
    const repository = await caught(client.resolve(`${registry.host}/team/never-pushed:v1`));
    expect(repository.code).toBe('NOT_FOUND');
    expect(repository.registryErrors.map((entry) => entry.code)).toEqual(['NAME_UNKNOWN']);

    const digest = digestOf(Buffer.from('no such manifest'));
    const manifest = await caught(client.getManifest(`${registry.host}/team/oci-app@${digest}`));
    expect(manifest.code).toBe('MANIFEST_UNKNOWN');
    expect(manifest.details.digest).toBe(digest);
  });

  it('lists tags across Link-header pages and pushes a tag-fallback attestation', async () => {
    const subject = await client.getManifest(ociImage.reference);
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: subject.digest.slice(7) } }],
      }),
    );
    const emptyConfig = Buffer.from('{}');
    const layer = await client.pushBlob(`${registry.host}/team/oci-app`, statement);
    const config = await client.pushBlob(`${registry.host}/team/oci-app`, emptyConfig);
    expect(await client.pushBlob(`${registry.host}/team/oci-app`, statement)).toEqual(layer);

    const attestation: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.in-toto+json', digest: layer.digest, size: layer.size }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    };
    const tag = attestationTag(subject.digest);
    expect(tag).toBe(`sha256-${subject.digest.slice(7)}.att`);
    const pushed = await client.pushManifest(
      `${registry.host}/team/oci-app:${tag}`,
      attestation,
      MediaTypes.ociManifest,
    );
    expect(pushed.digest).toBe(digestOf(canonicalBytes(attestation)));

    const fetched = await client.getManifest(`${registry.host}/team/oci-app:${tag}`);
    expect(fetched.digest).toBe(pushed.digest);
    expect(fetched.manifest.subject?.digest).toBe(subject.digest);
    expect((await client.readBlob(`${registry.host}/team/oci-app`, layer.digest)).equals(statement)).toBe(
      true,
    );

    await client.pushManifest(`${registry.host}/team/oci-app:v2`, subject.bytes, subject.mediaType);
    const tags = await client.listTags(`${registry.host}/team/oci-app`, { pageSize: 1 });
    expect([...tags].sort()).toEqual([tag, 'v1', 'v2'].sort());
  });

  it('flags a blob corrupted in registry storage as tampered', async () => {
    const manifest = (await client.getManifest(dockerImage.reference)).manifest as ImageManifest;
    const layer = manifest.layers[0]!;
    await corruptFile(registry.blobDataPath(layer.digest), 20);
    const error = await caught(
      client.readBlob(`${registry.host}/team/docker-app`, layer.digest, { expectedSize: layer.size }),
    );
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.tamper).toBe(true);
    expect(error.details.expected).toBe(layer.digest);
  });

  it('flags a manifest corrupted in registry storage as tampered', async () => {
    // A fresh image, so the other tests keep their intact copy.
    const image = await pushTestImage(registry, {
      repo: 'team/tampered',
      tag: 'v1',
      files: { 'etc/x': 'x\n' },
    });
    await corruptFile(registry.blobDataPath(image.digest), 30);
    const error = await caught(client.resolve(image.reference));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.tamper).toBe(true);
    expect(error.details.expected).toBe(image.digest);
  });
});

describe('RegistryClient when the registry is down', () => {
  it('answers REGISTRY_UNAVAILABLE after bounded retries', async () => {
    const registry = await startTestRegistry();
    const host = registry.host;
    await registry.stop();
    const sleeps: number[] = [];
    const client = new RegistryClient({
      retries: 2,
      retryBaseDelayMs: 10,
      sleep: async (ms) => void sleeps.push(ms),
    });
    try {
      const error = await caught(client.resolve(`${host}/team/app:v1`));
      expect(error.code).toBe('REGISTRY_UNAVAILABLE');
      expect(error.details).toMatchObject({ host, attempts: 3 });
      expect(error.message).toContain('ECONNREFUSED');
      expect(sleeps).toEqual([10, 20]);
    } finally {
      await client.close();
    }
  });
});

describe('RegistryClient with basic auth', () => {
  let registry: TestRegistry;
  let image: PushedTestImage;

  beforeAll(async () => {
    registry = await startTestRegistry({ auth: 'basic' });
    image = await pushTestImage(registry, {
      repo: 'private/app',
      tag: 'v1',
      files: { 'etc/secret': 'basic\n' },
    });
  });
  afterAll(async () => registry?.stop());

  it('resolves with the right credentials', async () => {
    const client = new RegistryClient({ credentials: { [registry.host]: registry.credentials! } });
    try {
      expect((await client.resolve(image.reference)).digest).toBe(image.digest);
      expect(await client.listTags(`${registry.host}/private/app`)).toEqual(['v1']);
    } finally {
      await client.close();
    }
  });

  it('refuses a wrong password and anonymous access', async () => {
    const wrong = new RegistryClient({
      credentials: { [registry.host]: { username: registry.credentials!.username, password: 'wrong' } },
    });
    const anonymous = new RegistryClient();
    try {
      const refused = await caught(wrong.resolve(image.reference));
      expect(refused.code).toBe('UNAUTHORIZED');
      expect(refused.status).toBe(401);
      expect((await caught(anonymous.resolve(image.reference))).code).toBe('UNAUTHORIZED');
    } finally {
      await wrong.close();
      await anonymous.close();
    }
  });
});

describe('RegistryClient with the bearer token protocol', () => {
  let registry: TestRegistry;
  let image: PushedTestImage;

  beforeAll(async () => {
    registry = await startTestRegistry({ auth: 'token' });
    image = await pushTestImage(registry, {
      repo: 'tokens/app',
      tag: 'v1',
      files: { 'etc/secret': 'token\n' },
    });
  });
  afterAll(async () => registry?.stop());

  it('gets a token per scope, pulls and pushes', async () => {
    const client = new RegistryClient({ credentials: { [registry.host]: registry.credentials! } });
    try {
      const resolved = await client.resolve(image.reference);
      expect(resolved.digest).toBe(image.digest);
      const fetched = await client.getManifest(image.reference);
      const pushed = await client.pushManifest(
        `${registry.host}/tokens/app:copy`,
        fetched.bytes,
        fetched.mediaType,
      );
      expect(pushed.digest).toBe(image.digest);
      expect([...(await client.listTags(`${registry.host}/tokens/app`))].sort()).toEqual(['copy', 'v1']);
    } finally {
      await client.close();
    }
  });

  it('refuses anonymous pulls and wrong credentials', async () => {
    const anonymous = new RegistryClient();
    const wrong = new RegistryClient({
      credentials: { [registry.host]: { username: 'stella', password: 'wrong' } },
    });
    try {
      const anonymousError = await caught(anonymous.resolve(image.reference));
      expect(anonymousError.code).toBe('UNAUTHORIZED');
      const wrongError = await caught(wrong.resolve(image.reference));
      expect(wrongError.code).toBe('UNAUTHORIZED');
      expect(wrongError.message).toContain('token service');
    } finally {
      await anonymous.close();
      await wrong.close();
    }
  });
});

describe('RegistryClient over HTTPS with a private CA', () => {
  let registry: TestRegistry;
  let image: PushedTestImage;

  beforeAll(async () => {
    registry = await startTestRegistry({ tls: true });
    image = await pushTestImage(registry, { repo: 'tls/app', tag: 'v1', files: { 'etc/tls': 'tls\n' } });
  });
  afterAll(async () => registry?.stop());

  it('trusts the registry certificate through the ca option', async () => {
    const client = new RegistryClient({ ca: registry.caCertificate!, useHttpForLoopback: false });
    try {
      expect(registry.url.startsWith('https://')).toBe(true);
      expect((await client.resolve(image.reference)).digest).toBe(image.digest);
    } finally {
      await client.close();
    }
  });

  it('refuses the certificate without the CA, without retrying', async () => {
    const sleeps: number[] = [];
    const client = new RegistryClient({
      useHttpForLoopback: false,
      retries: 3,
      sleep: async (ms) => void sleeps.push(ms),
    });
    try {
      const error = await caught(client.resolve(image.reference));
      expect(error.code).toBe('INSECURE_TRANSPORT_REFUSED');
      expect(error.details.host).toBe(registry.host);
      expect(typeof error.details.tlsError).toBe('string');
      expect(sleeps).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pushTestImage, startTestRegistry, type TestRegistry } from '@stella/testing';
import { FileSystemLayerCache, scanImage, toCycloneDx, toSpdx3, type ScanResult } from '@stella/scan';

const run = promisify(execFile);

// Real content from this Debian machine: its dpkg database, os-release and a Debian-packaged jar.
function realFiles(): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = {
    'var/lib/dpkg/status': readFileSync('/var/lib/dpkg/status'),
    'usr/lib/os-release': readFileSync('/usr/lib/os-release'),
    'etc/os-release': readFileSync('/usr/lib/os-release'),
    'app/node_modules/yauzl/package.json': readFileSync(require.resolve('yauzl/package.json')),
  };
  if (existsSync('/usr/share/java/commons-io.jar'))
    files['usr/share/java/commons-io.jar'] = readFileSync('/usr/share/java/commons-io.jar');
  return files;
}

const summary = (result: ScanResult) =>
  result.components.map((c) => `${c.purl ?? c.name} ${c.location.path} ${c.location.layerDigest}`);

describe('scanImage against a real registry and real image tools (umoci, skopeo)', () => {
  let registry: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startTestRegistry();
    dir = mkdtempSync(join(tmpdir(), 'stella-scan-int-'));
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scans an image by tag and by digest, and the same image as oci-archive and docker-archive gives the same components', async () => {
    const pushed = await pushTestImage(registry, { repo: 'scan/debianish', tag: 'v1', files: realFiles() });
    const byTag = await scanImage(pushed.reference);
    expect(byTag.image.manifestDigest).toBe(pushed.digest);
    expect(byTag.image.os).toMatchObject({ id: 'debian' });
    const installed = readFileSync('/var/lib/dpkg/status', 'utf8').match(/^Package: /gm)?.length ?? 0;
    expect(byTag.stats.componentsByEcosystem['deb']).toBe(installed);
    expect(byTag.components.map((c) => c.purl)).toContain(
      `pkg:npm/yauzl@${(JSON.parse(readFileSync(require.resolve('yauzl/package.json'), 'utf8')) as { version: string }).version}`,
    );
    if (existsSync('/usr/share/java/commons-io.jar'))
      expect(byTag.components.some((c) => c.purl?.startsWith('pkg:maven/commons-io/commons-io@'))).toBe(true);

    const byDigest = await scanImage(`${registry.host}/scan/debianish@${pushed.digest}`);
    expect(
      toCycloneDx(byDigest).equals(
        toCycloneDx({ ...byTag, image: { ...byTag.image, name: byDigest.image.name! } }),
      ),
    ).toBe(true);

    const ociArchive = join(dir, 'image.oci.tar');
    const dockerArchive = join(dir, 'image.docker.tar');
    await run('skopeo', [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      `docker://${pushed.reference}`,
      `oci-archive:${ociArchive}:v1`,
    ]);
    await run('skopeo', [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      `docker://${pushed.reference}`,
      `docker-archive:${dockerArchive}:scan/debianish:v1`,
    ]);
    const fromOci = await scanImage(`oci-archive:${ociArchive}`);
    const fromDocker = await scanImage(`docker-archive:${dockerArchive}`);
    expect(fromOci.image.manifestDigest).toBe(pushed.digest);
    expect(summary(fromOci)).toEqual(summary(byTag));
    expect(summary(fromDocker)).toEqual(summary(byTag));
    expect(fromDocker.image.configDigest).toBe(byTag.image.configDigest);
    // Same image, same manifest: the SBOMs differ only by the name the image was reached under.
    const rename = (r: ScanResult) => ({ ...r, image: { ...r.image, name: 'x' } });
    expect(toSpdx3(rename(fromOci)).equals(toSpdx3(rename(byTag)))).toBe(true);
  });

  it('picks the requested platform from a multi-platform index', async () => {
    const pushed = await pushTestImage(registry, {
      repo: 'scan/multi',
      tag: 'v1',
      files: {
        'app/node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}',
      },
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    const amd = await scanImage(pushed.reference);
    const arm = await scanImage(pushed.reference, { platform: 'linux/arm64' });
    expect(amd.image.indexDigest).toBe(pushed.digest);
    expect(amd.image.platform.architecture).toBe('amd64');
    expect(arm.image.platform.architecture).toBe('arm64');
    expect(arm.image.manifestDigest).not.toBe(amd.image.manifestDigest);
    expect(arm.components[0]).toMatchObject({ purl: 'pkg:npm/left-pad@1.3.0', license: 'WTFPL' });
    await expect(scanImage(pushed.reference, { platform: 'linux/ppc64le' })).rejects.toMatchObject({
      code: 'PLATFORM_NOT_FOUND',
    });
  });

  it('reuses the filesystem layer cache across scans and processes', async () => {
    const pushed = await pushTestImage(registry, {
      repo: 'scan/cached',
      tag: 'v1',
      files: { 'app/node_modules/a/package.json': '{"name":"a","version":"1.0.0"}' },
    });
    const cacheDir = join(dir, 'cache');
    const cold = await scanImage(pushed.reference, { layerCache: new FileSystemLayerCache(cacheDir) });
    const warm = await scanImage(pushed.reference, { layerCache: new FileSystemLayerCache(cacheDir) });
    expect(cold.stats.layersFromCache).toBe(0);
    expect(warm.stats.layersFromCache).toBe(warm.stats.layers);
    expect(warm.components).toEqual(cold.components);
  });

  it('refuses a layer blob that was altered in the registry storage', async () => {
    const pushed = await pushTestImage(registry, {
      repo: 'scan/tampered',
      tag: 'v1',
      files: { 'etc/motd': 'hello\n' },
    });
    const { image } = await scanImage(pushed.reference);
    const layer = image.layers[0]!;
    const path = registry.blobDataPath(layer.digest);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    await expect(scanImage(pushed.reference)).rejects.toMatchObject({
      code: expect.stringMatching(/^(DIGEST_MISMATCH|CORRUPT_LAYER)$/),
    });
  });

  it('reports a missing tag as SOURCE_NOT_FOUND', async () => {
    await expect(scanImage(`${registry.host}/scan/nothing:here`)).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });
});

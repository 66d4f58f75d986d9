import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isScanError } from '../errors';
import { scanImage } from '../scan-image';
import { buildTar } from '../testing/fixtures';
import { writeOciLayout } from '../testing/oci-layout';
import { parseImageSource } from './parse-source';

const npmLayer = (name: string, version: string) =>
  buildTar([{ name: `app/node_modules/${name}/package.json`, content: JSON.stringify({ name, version }) }]);

describe('local image sources', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-scan-src-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('oci:<dir> with a multi-platform index picks linux/amd64 by default and the requested platform otherwise', async () => {
    const layout = join(dir, 'layout');
    const { manifests, index } = writeOciLayout(
      layout,
      [
        { layers: [await npmLayer('amd', '1.0.0')], platform: { os: 'linux', architecture: 'amd64' } },
        {
          layers: [await npmLayer('arm', '1.0.0')],
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
      ],
      { asIndex: true, tag: 'v1' },
    );
    const amd = await scanImage(`oci:${layout}`);
    expect(amd.image).toMatchObject({
      manifestDigest: manifests[0],
      indexDigest: index,
      name: 'v1',
      platform: { architecture: 'amd64' },
    });
    expect(amd.components.map((c) => c.name)).toEqual(['amd']);
    const arm = await scanImage(`oci:${layout}:v1`, { platform: 'linux/arm64' });
    expect(arm.components.map((c) => c.name)).toEqual(['arm']);
    const error = await scanImage(`oci:${layout}`, { platform: 'linux/s390x' }).catch((e: unknown) => e);
    expect(isScanError(error, 'PLATFORM_NOT_FOUND')).toBe(true);
    expect((error as { details: { available: string[] } }).details.available).toEqual([
      'linux/amd64',
      'linux/arm64/v8',
    ]);
    await expect(scanImage(`oci:${layout}:v2`)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('refuses a layout whose blob was tampered with', async () => {
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ layers: [await npmLayer('a', '1.0.0')] }]);
    const blobs = join(layout, 'blobs', 'sha256');
    // Swap one byte in the largest blob (the layer): its digest no longer matches.
    const [largest] = readdirSync(blobs)
      .map((name) => ({ name, size: readFileSync(join(blobs, name)).length }))
      .sort((a, b) => b.size - a.size);
    const bytes = readFileSync(join(blobs, largest!.name));
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    writeFileSync(join(blobs, largest!.name), bytes);
    await expect(scanImage(`oci:${layout}`)).rejects.toMatchObject({
      code: expect.stringMatching(/DIGEST_MISMATCH|CORRUPT_LAYER/),
    });
  });

  it('oci-archive:<tar> reads blobs straight out of the tarball and gives the same result as the directory', async () => {
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [
      {
        layers: [await npmLayer('a', '1.0.0'), await npmLayer('b', '2.0.0')],
        created: '2024-01-01T00:00:00Z',
      },
    ]);
    const archive = join(dir, 'image.tar');
    execFileSync('tar', ['-cf', archive, '-C', layout, '.']);
    const fromDir = await scanImage(`oci:${layout}`);
    const fromArchive = await scanImage(`oci-archive:${archive}`);
    expect(fromArchive).toEqual(fromDir);
    expect(fromArchive.components.map((c) => `${c.name}@${c.version}`)).toEqual(['a@1.0.0', 'b@2.0.0']);
  });

  it('docker-archive:<tar> (docker save layout) locates layers by diff id and verifies them', async () => {
    const layers = [await npmLayer('a', '1.0.0'), await npmLayer('b', '2.0.0')];
    const root = join(dir, 'docker');
    const { createHash } = await import('node:crypto');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
      }),
    );
    execFileSync('mkdir', ['-p', root]);
    writeFileSync(join(root, `${sha(config)}.json`), config);
    layers.forEach((l, i) => {
      execFileSync('mkdir', ['-p', join(root, `l${i}`)]);
      writeFileSync(join(root, `l${i}`, 'layer.tar'), l);
    });
    writeFileSync(
      join(root, 'manifest.json'),
      JSON.stringify([
        {
          Config: `${sha(config)}.json`,
          RepoTags: ['team/app:1.0'],
          Layers: ['l0/layer.tar', 'l1/layer.tar'],
        },
      ]),
    );
    const archive = join(dir, 'docker.tar');
    execFileSync('tar', ['-cf', archive, '-C', root, '.']);
    const result = await scanImage(`docker-archive:${archive}`);
    expect(result.image).toMatchObject({ name: 'team/app:1.0', configDigest: `sha256:${sha(config)}` });
    expect(result.image.manifestDigest).toBeUndefined();
    expect(result.components.map((c) => c.name)).toEqual(['a', 'b']);
    expect((await scanImage(`docker-archive:${archive}:team/app:1.0`)).components).toHaveLength(2);

    // A layer whose content does not match the config's diff id is refused.
    writeFileSync(join(root, 'l1', 'layer.tar'), layers[0]!);
    execFileSync('tar', ['-cf', archive, '-C', root, '.']);
    await expect(scanImage(`docker-archive:${archive}`)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('parses source strings', () => {
    expect(parseImageSource('registry.example/team/app:1.0').description).toBe(
      'registry.example/team/app:1.0',
    );
    expect(parseImageSource('docker://nginx').description).toBe('nginx');
    expect(() => parseImageSource('oci-archive:/definitely/not/here.tar')).toThrow(
      expect.objectContaining({ code: 'SOURCE_NOT_FOUND' }),
    );
    expect(() => parseImageSource('')).toThrow(expect.objectContaining({ code: 'INVALID_SOURCE' }));
    expect(() => parseImageSource('Not A Reference!')).toThrow(
      expect.objectContaining({ code: 'INVALID_SOURCE' }),
    );
  });
});

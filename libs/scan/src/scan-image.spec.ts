import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryLayerCache } from './cache';
import { isScanError } from './errors';
import { scanImage, type ScanProgress } from './scan-image';
import { buildTar } from './testing/fixtures';
import { memorySource } from './testing/memory-source';

const fixture = (name: string) => readFileSync(join(__dirname, 'catalogers', '__fixtures__', name));

async function debianImage() {
  const base = await buildTar([
    { name: 'usr/lib/os-release', content: fixture('os-release') },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'var/lib/dpkg/status', content: fixture('dpkg-status') },
    { name: 'var/lib/dpkg/info/bash.list', content: fixture('bash.list') },
    { name: 'bin/bash', content: 'ELF-ish' },
    { name: 'usr/share/doc/zlib1g/copyright', content: fixture('zlib1g.copyright') },
    { name: 'usr/share/doc/libc6/copyright', content: fixture('libc6.copyright') },
  ]);
  // Removes bash from the status file (as `apt-get purge bash` would) and deletes its binary.
  const statusWithoutBash = fixture('dpkg-status')
    .toString()
    .split('\n\n')
    .filter((stanza) => !stanza.startsWith('Package: bash\n'))
    .join('\n\n');
  const purge = await buildTar([
    { name: 'var/lib/dpkg/status', content: statusWithoutBash },
    { name: 'bin/.wh.bash', content: '' },
    { name: 'var/lib/dpkg/info/.wh.bash.list', content: '' },
  ]);
  const app = await buildTar([
    { name: 'app/node_modules/yauzl/package.json', content: fixture('yauzl.package.json.txt') },
    { name: 'app/package.json', content: '{"name":"the-app","version":"2.0.0","private":true}' },
    { name: 'opt/template/package.json', content: '{"name":"template","version":"0.0.1"}' },
    {
      name: 'app/package-lock.json',
      content: JSON.stringify({
        lockfileVersion: 3,
        packages: { 'node_modules/left-pad': { version: '1.3.0' } },
      }),
    },
    {
      name: 'srv/package-lock.json',
      content: JSON.stringify({
        lockfileVersion: 3,
        packages: { 'node_modules/left-pad': { version: '1.3.0' } },
      }),
    },
    {
      name: 'usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA',
      content: fixture('PyYAML-6.0.METADATA'),
    },
    { name: 'usr/share/java/slf4j-nop.jar', content: fixture('slf4j-nop-1.7.32.jar') },
    { name: 'opt/old/node_modules/gone/package.json', content: '{"name":"gone","version":"1.0.0"}' },
  ]);
  const top = await buildTar([{ name: 'opt/old/.wh..wh..opq', content: '' }]);
  return [base, purge, app, top];
}

describe('scanImage', () => {
  it('merges layers: whiteouts and rewritten databases remove packages, symlinked os-release sets the distro', async () => {
    const result = await scanImage(
      memorySource(await debianImage(), { created: '2024-05-01T10:20:30.123456789Z' }),
    );
    const purls = result.components.map((c) => c.purl ?? c.name);
    expect(purls.some((p) => p.startsWith('pkg:deb/debian/bash@'))).toBe(false);
    expect(purls.find((p) => p.startsWith('pkg:deb/debian/libc6@'))).toMatch(
      /\?arch=amd64&distro=debian-12&upstream=glibc$/,
    );
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:npm/yauzl@' + JSON.parse(fixture('yauzl.package.json.txt').toString()).version,
        'pkg:pypi/pyyaml@6.0',
        'pkg:maven/org.slf4j/slf4j-nop@1.7.32',
      ]),
    );
    // The lockfile next to installed node_modules is not trusted; the one without node_modules is.
    expect(result.components.filter((c) => c.name === 'left-pad').map((c) => c.location.path)).toEqual([
      '/srv/package-lock.json',
    ]);
    expect(purls).not.toContain('pkg:npm/gone@1.0.0');
    // The application's own package.json counts (it has node_modules); a stray one does not.
    expect(purls).toContain('pkg:npm/the-app@2.0.0');
    expect(purls).not.toContain('pkg:npm/template@0.0.1');
    expect(result.image.os).toMatchObject({ id: 'debian', versionId: '12' });
    expect(result.image.created).toBe('2024-05-01T10:20:30.123456789Z');
    // OS packages are located in the layer that installed them, not the one that last rewrote the database.
    const zlib = result.components.find((c) => c.name === 'zlib1g')!;
    expect(zlib.location.layerDigest).toBe(result.image.layers[0]!.diffId);
    expect(zlib.license).toBe('Zlib');
    const yauzl = result.components.find((c) => c.name === 'yauzl')!;
    expect(yauzl).toMatchObject({
      license: 'MIT',
      location: { layerDigest: result.image.layers[2]!.diffId, path: '/app/node_modules/yauzl/package.json' },
    });
    expect(result.stats).toMatchObject({
      layers: 4,
      layersFromCache: 0,
      componentsByEcosystem: { deb: 4, npm: 3, pypi: 1, maven: 1 },
    });
  });

  it('records file ownership and dependencies between OS packages', async () => {
    const [base] = await debianImage();
    const result = await scanImage(memorySource([base!]));
    const bash = result.components.find((c) => c.name === 'bash')!;
    expect(result.relationships).toContainEqual({ from: bash.id, to: '/bin/bash', type: 'owns-file' });
    const libc = result.components.find((c) => c.name === 'libc6')!;
    const libgcc = result.components.find((c) => c.name === 'libgcc-s1')!;
    expect(result.relationships).toContainEqual({ from: libc.id, to: libgcc.id, type: 'depends-on' });
  });

  it('reuses cached layer analyses: a rescan opens no layer, an image sharing its base only opens the new one', async () => {
    const layers = await debianImage();
    const cache = new InMemoryLayerCache();
    const first = memorySource(layers);
    const cold = await scanImage(first, { layerCache: cache });
    expect(first.opened).toEqual([0, 1, 2, 3]);

    const again = memorySource(layers);
    const warm = await scanImage(again, { layerCache: cache });
    expect(again.opened).toEqual([]);
    expect(warm.stats.layersFromCache).toBe(4);
    expect(warm.components).toEqual(cold.components);

    const extra = await buildTar([
      {
        name: 'app/node_modules/zod/package.json',
        content: '{"name":"zod","version":"4.1.0","license":"MIT"}',
      },
    ]);
    const derived = memorySource([...layers, extra]);
    const progress: ScanProgress[] = [];
    const derivedResult = await scanImage(derived, {
      layerCache: cache,
      onProgress: (p) => progress.push(p),
    });
    expect(derived.opened).toEqual([4]);
    expect(derivedResult.components.map((c) => c.purl)).toContain('pkg:npm/zod@4.1.0');
    expect(
      progress.filter((p) => p.phase === 'layer-done').map((p) => (p as { cached: boolean }).cached),
    ).toEqual([true, true, true, true, false]);
    expect(progress.at(-1)).toEqual({ phase: 'done', components: derivedResult.components.length });
  });

  it('counts entries across layers, cached ones included', async () => {
    const layers = [
      await buildTar(Array.from({ length: 30 }, (_, i) => ({ name: `a${i}`, content: '' }))),
      await buildTar(Array.from({ length: 30 }, (_, i) => ({ name: `b${i}`, content: '' }))),
    ];
    const error = await scanImage(memorySource(layers), { limits: { maxEntries: 50 } }).catch(
      (e: unknown) => e,
    );
    expect(isScanError(error, 'TOO_MANY_ENTRIES')).toBe(true);
  });

  it('refuses invalid options with typed errors', async () => {
    const source = memorySource([await buildTar([{ name: 'a', content: '' }])]);
    await expect(scanImage(source, { limits: { maxEntries: -1 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(scanImage(source, { platform: 'not a platform!' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

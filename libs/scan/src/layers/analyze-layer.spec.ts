import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { isScanError, type ScanErrorCode } from '../errors';
import { DEFAULT_SCAN_LIMITS, type ScanLimits } from '../limits';
import { buildTar, gzip, type TarEntrySpec } from '../testing/fixtures';
import { analyzeLayer } from './analyze-layer';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function analyze(
  bytes: Buffer,
  limits: Partial<ScanLimits> = {},
  extra: { expectedDiffId?: string; expectedCompressedDigest?: string } = {},
) {
  const effective = { ...DEFAULT_SCAN_LIMITS, ...limits };
  return analyzeLayer(Readable.from([bytes]), {
    digest: sha256(bytes),
    limits: effective,
    entryBudget: effective.maxEntries,
    byteBudget: effective.maxImageBytes,
    ...extra,
  });
}

async function expectRefusal(
  promise: Promise<unknown>,
  code: ScanErrorCode,
): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isScanError(error)) throw error ?? new Error('expected a refusal, the layer was accepted');
  expect(error.code).toBe(code);
  return error.details;
}

const base: TarEntrySpec[] = [
  { name: './', type: 'directory' },
  { name: './etc/', type: 'directory' },
  { name: './etc/hostname', content: 'box\n' },
];

describe('analyzeLayer: reading', () => {
  it('reads a gzip layer, records entries, whiteouts and opaque directories, and the diff id', async () => {
    const tar = await buildTar([
      ...base,
      { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'var/lib/.wh.old', content: '' },
      { name: 'opt/app/.wh..wh..opq', content: '' },
    ]);
    const analysis = await analyze(gzip(tar));
    expect(analysis.diffId).toBe(sha256(tar));
    expect(analysis.uncompressedBytes).toBe(tar.length);
    expect(analysis.entries).toEqual([
      ['etc', 'd'],
      ['etc/hostname', 'f'],
      ['usr/lib/os-release', 'f'],
      ['etc/os-release', 'l', '../usr/lib/os-release'],
    ]);
    expect(analysis.whiteouts).toEqual(['var/lib/old']);
    expect(analysis.opaqueDirs).toEqual(['opt/app']);
    expect(analysis.artifacts).toEqual([
      { kind: 'os-release', path: 'usr/lib/os-release', release: { id: 'debian', versionId: '12' } },
    ]);
  });

  it('reads an uncompressed layer', async () => {
    const tar = await buildTar(base);
    const analysis = await analyze(tar);
    expect(analysis.diffId).toBe(sha256(tar));
    expect(analysis.entryCount).toBe(3);
  });

  (existsSync('/usr/bin/zstd') ? it : it.skip)(
    'reads a zstd layer (compressed by the zstd tool)',
    async () => {
      const tar = await buildTar([
        ...base,
        { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\n' },
      ]);
      const compressed = execFileSync('zstd', ['-q', '-c', '-'], { input: tar });
      expect(compressed.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
      const analysis = await analyze(compressed);
      expect(analysis.diffId).toBe(sha256(tar));
      expect(analysis.artifacts[0]).toMatchObject({
        kind: 'apk-installed',
        packages: [{ name: 'musl', version: '1.2.4-r2' }],
      });
    },
  );

  it('catalogs a hard link to a cataloged file under the link name too', async () => {
    const tar = await buildTar([
      { name: 'app/node_modules/a/package.json', content: '{"name":"a","version":"1.0.0"}' },
      { name: 'srv/node_modules/a/package.json', type: 'link', linkname: 'app/node_modules/a/package.json' },
    ]);
    const analysis = await analyze(tar);
    expect(analysis.artifacts.map((a) => a.path)).toEqual([
      'app/node_modules/a/package.json',
      'srv/node_modules/a/package.json',
    ]);
  });

  it('verifies the diff id and the compressed digest', async () => {
    const tar = await buildTar(base);
    const compressed = gzip(tar);
    await expect(
      analyze(compressed, {}, { expectedDiffId: sha256(tar), expectedCompressedDigest: sha256(compressed) }),
    ).resolves.toBeDefined();
    const wrong = `sha256:${'0'.repeat(64)}`;
    expect(
      await expectRefusal(analyze(compressed, {}, { expectedDiffId: wrong }), 'DIGEST_MISMATCH'),
    ).toMatchObject({ expected: wrong, actual: sha256(tar) });
    await expectRefusal(analyze(compressed, {}, { expectedCompressedDigest: wrong }), 'DIGEST_MISMATCH');
  });

  it('warns about metadata it cannot parse instead of failing the scan', async () => {
    const analysis = await analyze(
      await buildTar([{ name: 'app/node_modules/x/package.json', content: '{not json' }]),
    );
    expect(analysis.artifacts).toEqual([]);
    expect(analysis.warnings).toEqual([
      expect.objectContaining({ code: 'UNPARSABLE_METADATA', path: 'app/node_modules/x/package.json' }),
    ]);
  });
});

describe('analyzeLayer: crafted malicious layers are refused', () => {
  it('absolute path', async () => {
    const details = await expectRefusal(
      analyze(await buildTar([{ name: '/etc/passwd', content: 'root::0:0' }])),
      'UNSAFE_PATH',
    );
    expect(details).toMatchObject({ name: '/etc/passwd', reason: 'absolute' });
  });

  it('.. traversal', async () => {
    const details = await expectRefusal(
      analyze(await buildTar([{ name: 'usr/../../etc/cron.d/x', content: '* * * * * root sh' }])),
      'UNSAFE_PATH',
    );
    expect(details).toMatchObject({ reason: 'dot-dot' });
  });

  it('whiteout naming a parent directory', async () => {
    await expectRefusal(analyze(await buildTar([{ name: 'etc/.wh...', content: '' }])), 'UNSAFE_PATH');
  });

  it('symlink escaping the root (relative)', async () => {
    const details = await expectRefusal(
      analyze(await buildTar([{ name: 'etc/evil', type: 'symlink', linkname: '../../../host/etc/shadow' }])),
      'LINK_ESCAPE',
    );
    expect(details).toMatchObject({ path: 'etc/evil', target: '../../../host/etc/shadow' });
  });

  it('symlink escaping the root (absolute with ..)', async () => {
    await expectRefusal(
      analyze(await buildTar([{ name: 'etc/evil', type: 'symlink', linkname: '/../etc/shadow' }])),
      'LINK_ESCAPE',
    );
  });

  it('accepts absolute and in-root relative symlinks, anchored at the image root', async () => {
    const analysis = await analyze(
      await buildTar([
        { name: 'lib64', type: 'symlink', linkname: 'usr/lib64' },
        { name: 'usr/bin/python3', type: 'symlink', linkname: '/usr/bin/python3.11' },
        {
          name: 'usr/share/doc/x/copyright',
          type: 'symlink',
          linkname: '../../../../usr/share/common-licenses/GPL-2',
        },
      ]),
    );
    expect(analysis.entries).toHaveLength(3);
  });

  it('hard link escaping the layer with ..', async () => {
    await expectRefusal(
      analyze(await buildTar([{ name: 'etc/passwd2', type: 'link', linkname: '../../etc/passwd' }])),
      'LINK_ESCAPE',
    );
  });

  it('hard link to an absolute host path', async () => {
    await expectRefusal(
      analyze(await buildTar([{ name: 'etc/shadow', type: 'link', linkname: '/etc/shadow' }])),
      'LINK_ESCAPE',
    );
  });

  it('hard link to a file that is not in the layer', async () => {
    await expectRefusal(
      analyze(await buildTar([{ name: 'etc/x', type: 'link', linkname: 'etc/missing' }])),
      'LINK_ESCAPE',
    );
  });

  it('character and block device files', async () => {
    await expectRefusal(
      analyze(await buildTar([{ name: 'dev/mem', type: 'character-device' }])),
      'DEVICE_FILE',
    );
    await expectRefusal(analyze(await buildTar([{ name: 'dev/sda', type: 'block-device' }])), 'DEVICE_FILE');
  });

  it('decompression bomb: compression ratio over the limit', async () => {
    // 16 MiB of zeros gzip to ~16 KiB (ratio ~1000).
    const tar = await buildTar([{ name: 'zeros', content: Buffer.alloc(16 * 1024 * 1024) }]);
    const details = await expectRefusal(
      analyze(gzip(tar), { ratioCheckAfterBytes: 1024 * 1024, maxCompressionRatio: 100 }),
      'DECOMPRESSION_BOMB',
    );
    expect(details['ratio']).toBeGreaterThan(100);
  });

  it('decompression bomb: layer size over the limit', async () => {
    const tar = await buildTar([{ name: 'zeros', content: Buffer.alloc(4 * 1024 * 1024) }]);
    const details = await expectRefusal(analyze(gzip(tar), { maxLayerBytes: 1024 * 1024 }), 'TOO_LARGE');
    expect(details).toMatchObject({ limit: 1024 * 1024 });
  });

  it('image size budget exhausted by earlier layers', async () => {
    const tar = await buildTar([{ name: 'f', content: Buffer.alloc(64 * 1024) }]);
    await expectRefusal(
      analyzeLayer(Readable.from([tar]), {
        digest: sha256(tar),
        limits: DEFAULT_SCAN_LIMITS,
        entryBudget: 10,
        byteBudget: 1024,
      }),
      'TOO_LARGE',
    );
  });

  it('too many entries', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, content: '' }));
    const details = await expectRefusal(
      analyze(await buildTar(entries), { maxEntries: 20 }),
      'TOO_MANY_ENTRIES',
    );
    expect(details).toMatchObject({ limit: 20 });
  });

  it('overlong path', async () => {
    await expectRefusal(
      analyze(await buildTar([{ name: `${'a/'.repeat(200)}x`, content: '' }]), { maxPathLength: 100 }),
      'UNSAFE_PATH',
    );
  });

  it('corrupt gzip', async () => {
    const compressed = gzip(await buildTar(base));
    compressed.writeUInt32LE(0xdeadbeef, 20);
    await expectRefusal(analyze(compressed), 'CORRUPT_LAYER');
  });
});

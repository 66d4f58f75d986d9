import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTar } from '../../../../libs/scan/src/testing/fixtures';
import { writeOciLayout } from '../../../../libs/scan/src/testing/oci-layout';
import { buildProgram } from '../main';
import { acceptScanOptions, buildScanOptionsSchema, parseScanOptions } from './scan.command';

describe('stella scan', () => {
  let dir: string;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-cli-scan-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.exitCode = undefined;
  });
  afterEach(() => {
    stderr.mockRestore();
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  async function layout(): Promise<string> {
    const path = join(dir, 'layout');
    writeOciLayout(path, [
      {
        layers: [
          await buildTar([
            {
              name: 'app/node_modules/zod/package.json',
              content: '{"name":"zod","version":"4.1.0","license":"MIT"}',
            },
          ]),
        ],
        created: '2024-01-02T03:04:05Z',
      },
    ]);
    return path;
  }

  it('writes identical CycloneDX files on repeated runs, and SPDX on request', async () => {
    const source = `oci:${await layout()}`;
    const cache = join(dir, 'cache');
    for (const name of ['a.json', 'b.json'])
      await buildProgram().parseAsync([
        'node',
        'stella',
        'scan',
        source,
        '--cache-dir',
        cache,
        '-o',
        join(dir, name),
      ]);
    const a = readFileSync(join(dir, 'a.json'));
    expect(a.equals(readFileSync(join(dir, 'b.json')))).toBe(true);
    const bom = JSON.parse(a.toString()) as {
      bomFormat: string;
      components: { purl: string }[];
      metadata: { timestamp: string };
    };
    expect(bom).toMatchObject({
      bomFormat: 'CycloneDX',
      components: [expect.objectContaining({ purl: 'pkg:npm/zod@4.1.0' })],
      metadata: { timestamp: '2024-01-02T03:04:05.000Z' },
    });
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('1 components (npm 1)'));

    await buildProgram().parseAsync([
      'node',
      'stella',
      'scan',
      source,
      '--no-cache',
      '--format',
      'spdx-json',
      '-o',
      join(dir, 'c.json'),
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'))).toMatchObject({
      '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
    });
    expect(process.exitCode).toBeUndefined();
  });

  it('reports scan errors with their code and a distinct exit code for refusals', async () => {
    await buildProgram().parseAsync(['node', 'stella', 'scan', `oci:${join(dir, 'missing')}`, '--no-cache']);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('SOURCE_NOT_FOUND'));
    expect(process.exitCode).toBe(1);

    const evil = join(dir, 'evil');
    writeOciLayout(evil, [
      { layers: [await buildTar([{ name: 'etc/x', type: 'symlink', linkname: '../../../etc/shadow' }])] },
    ]);
    await buildProgram().parseAsync(['node', 'stella', 'scan', `oci:${evil}`, '--no-cache']);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('LINK_ESCAPE'));
    expect(process.exitCode).toBe(3);
  });

  it('validates its options', async () => {
    await buildProgram().parseAsync([
      'node',
      'stella',
      'scan',
      `oci:${await layout()}`,
      '--platform',
      'LINUX!',
    ]);
    expect(process.exitCode).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('expected os/arch'));
  });

  it('checks options without zod exactly where the zod schema accepts them', () => {
    const { z: zod } = require('zod') as typeof import('zod');
    const schema = buildScanOptionsSchema(zod);
    const valid = { format: 'cyclonedx-json', cache: true, progress: false };
    const cases: Record<string, unknown>[] = [
      valid,
      { ...valid, format: 'spdx-json', output: 'x.json', platform: 'linux/arm64/v8', cacheDir: '/c' },
      { ...valid, includeFiles: true, insecureRegistry: ['127.0.0.1:5000'], platform: 'linux/amd64' },
      { ...valid, format: 'xml' },
      { ...valid, output: '' },
      { ...valid, platform: 'LINUX!' },
      { ...valid, platform: 'linux' },
      { ...valid, cache: 'yes' },
      { ...valid, cacheDir: '' },
      { ...valid, includeFiles: 'no' },
      { ...valid, insecureRegistry: [''] },
      { ...valid, insecureRegistry: 'host' },
      { ...valid, progress: undefined },
      { ...valid, unknown: 1 },
    ];
    for (const raw of cases) {
      const zodResult = schema.safeParse(raw);
      expect({ raw, accepted: acceptScanOptions(raw) }).toEqual({ raw, accepted: zodResult.success });
      const parsed = parseScanOptions(raw);
      expect(parsed.success).toBe(zodResult.success);
      if (!parsed.success && !zodResult.success)
        expect(parsed.message).toBe(zod.prettifyError(zodResult.error));
    }
  });
});

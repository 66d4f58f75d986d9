import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTar } from '../../../../libs/scan/src/testing/fixtures';
import { writeOciLayout } from '../../../../libs/scan/src/testing/oci-layout';
import { buildProgram } from '../main';

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
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTar } from '../../../../libs/scan/src/testing/fixtures';
import { writeOciLayout } from '../../../../libs/scan/src/testing/oci-layout';

// A local `stella scan` must load only the scan command's module graph: any of these being
// required fails the test (the factories throw on load).
jest.mock('pg', () => {
  throw new Error('stella scan loaded pg');
});
jest.mock('nats', () => {
  throw new Error('stella scan loaded nats');
});
jest.mock('@stella/contracts', () => {
  throw new Error('stella scan loaded @stella/contracts');
});
jest.mock('@stella/oci', () => {
  throw new Error('stella scan loaded @stella/oci');
});
jest.mock(
  'undici',
  () => {
    throw new Error('stella scan loaded undici');
  },
  { virtual: true },
);
jest.mock(
  'typeorm',
  () => {
    throw new Error('stella scan loaded typeorm');
  },
  { virtual: true },
);
jest.mock(
  '@nestjs/core',
  () => {
    throw new Error('stella scan loaded @nestjs/core');
  },
  { virtual: true },
);
jest.mock(
  '@stella/matching',
  () => {
    throw new Error('stella scan loaded @stella/matching');
  },
  { virtual: true },
);
// zod costs a separate process more than a warm rescan's own work: valid options, manifests,
// configs, package.json files and cached analyses are checked without it.
jest.mock('zod', () => {
  throw new Error('stella scan loaded zod');
});
jest.mock('../cli-config', () => {
  throw new Error('stella scan loaded the CLI configuration');
});
jest.mock('./login.command', () => {
  throw new Error('stella scan loaded the login command');
});
jest.mock('./doctor.command', () => {
  throw new Error('stella scan loaded the doctor command');
});
jest.mock('./match.command', () => {
  throw new Error('stella scan loaded the match command');
});

import { main } from '../main';

describe('stella scan loads only its own module graph', () => {
  it('scans a local OCI layout, cold and warm, without loading pg, nats, the event catalogue, undici, Nest, zod or other commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stella-cli-lazy-'));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      writeOciLayout(join(dir, 'layout'), [
        {
          layers: [
            await buildTar([
              {
                name: 'app/node_modules/left-pad/package.json',
                content: '{"name":"left-pad","version":"1.3.0"}',
              },
            ]),
          ],
          created: '2024-01-02T03:04:05Z',
        },
      ]);
      // Without a cache, then filling one, then a warm rescan that reads the layer from it.
      const cache = join(dir, 'cache');
      for (const args of [['--no-cache'], ['--cache-dir', cache], ['--cache-dir', cache]]) {
        const code = await main([
          'node',
          'stella',
          'scan',
          `oci:${join(dir, 'layout')}`,
          ...args,
          '-o',
          join(dir, 'sbom.json'),
        ]);
        expect(code).toBe(0);
      }
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('1 components (npm 1)'));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

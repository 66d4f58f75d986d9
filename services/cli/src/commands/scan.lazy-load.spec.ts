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
  it('scans a local OCI layout without loading pg, nats, the event catalogue, undici, Nest or other commands', async () => {
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
      const code = await main([
        'node',
        'stella',
        'scan',
        `oci:${join(dir, 'layout')}`,
        '--no-cache',
        '-o',
        join(dir, 'sbom.json'),
      ]);
      expect(code).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

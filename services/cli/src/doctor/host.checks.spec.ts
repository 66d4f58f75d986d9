import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFreeDisk, checkSecretFiles } from './host.checks';

describe('host checks', () => {
  it('passes 0600 secret files and fails group/world-readable ones with a chmod fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stella-doctor-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, '{}', { mode: 0o600 });
    await writeFile(bad, '{}');
    await chmod(bad, 0o644);
    const results = await checkSecretFiles([bad, good, join(dir, 'missing.json')]);
    expect(results.map((r) => [r.name.replace(dir, ''), r.status])).toEqual([
      ['file:/bad.json', 'fail'],
      ['file:/good.json', 'pass'],
      ['file:/missing.json', 'warn'],
    ]);
    expect(results[0]?.fix).toBe(`chmod 600 ${bad}`);
  });

  it('fails a secret owned by another user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stella-doctor-'));
    const file = join(dir, 'key');
    await writeFile(file, 'k', { mode: 0o600 });
    const [result] = await checkSecretFiles([file], 424242);
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('owned by uid') });
  });

  it('measures free disk at the nearest existing directory', async () => {
    const result = await checkFreeDisk(join(tmpdir(), 'does', 'not', 'exist'));
    expect(result.name).toBe('disk');
    expect(result.detail).toMatch(/GiB free at /);
  });
});

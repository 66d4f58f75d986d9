import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { loadAdvisoryPath, MIRROR_MANIFEST } from './load-path';
import { readSourceFile } from './read-source';

function zip(entries: Array<[string, Buffer | string]>): Promise<Buffer> {
  const file = new ZipFile();
  for (const [name, body] of entries) file.addBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body), name);
  file.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (c: Buffer) => chunks.push(c));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

const osv = (id: string) =>
  JSON.stringify({
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'demo' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2' }] }],
      },
    ],
  });

describe('OSV per-ecosystem zip archives', () => {
  it('reads one record per entry, naming each document archive!entry', async () => {
    const bytes = await zip([
      ['PYSEC-2024-1.json', osv('PYSEC-2024-1')],
      ['PYSEC-2024-2.json', osv('PYSEC-2024-2')],
    ]);
    const result = await readSourceFile('osv', 'all.zip', bytes);
    expect(result.issues).toEqual([]);
    expect(result.records.map((r) => [r.key, r.document])).toEqual([
      ['PYSEC-2024-1', 'all.zip!PYSEC-2024-1.json'],
      ['PYSEC-2024-2', 'all.zip!PYSEC-2024-2.json'],
    ]);
  });

  it('refuses a path-traversal entry and reads the others', async () => {
    const clean = await zip([
      ['aa/evil.json', osv('PYSEC-2024-3')],
      ['PYSEC-2024-4.json', osv('PYSEC-2024-4')],
    ]);
    // yazl refuses to write "..", so the name is patched in place (same length; CRCs cover data only).
    const bytes = Buffer.from(
      clean.toString('latin1').split('aa/evil.json').join('../evil.jso'.padEnd(12, 'n')),
      'latin1',
    );
    const result = await readSourceFile('osv', 'all.zip', bytes);
    expect(result.records.map((r) => r.key)).toEqual(['PYSEC-2024-4']);
    expect(result.issues).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'UNSAFE_ARCHIVE',
        document: 'all.zip!../evil.json',
        message: expect.stringContaining('escapes the archive root'),
      }),
    ]);
  });

  it('refuses an over-compressed entry (zip bomb) and an archive inflating past its total limit', async () => {
    const bomb = Buffer.alloc(4 * 1024 * 1024, 0x20); // 4 MiB of spaces compresses about 1000:1
    const bytes = await zip([
      ['bomb.json', bomb],
      ['PYSEC-2024-5.json', osv('PYSEC-2024-5')],
    ]);
    const result = await readSourceFile('osv', 'all.zip', bytes);
    expect(result.records.map((r) => r.key)).toEqual(['PYSEC-2024-5']);
    expect(result.issues).toEqual([
      expect.objectContaining({
        code: 'UNSAFE_ARCHIVE',
        document: 'all.zip!bomb.json',
        message: expect.stringContaining('zip bomb'),
      }),
    ]);

    const whole = await readSourceFile('osv', 'all.zip', bytes, { archive: { maxTotalBytes: 1024 * 1024 } });
    expect(whole.records).toEqual([]);
    expect(whole.issues).toEqual([
      expect.objectContaining({
        code: 'UNSAFE_ARCHIVE',
        document: 'all.zip',
        message: expect.stringContaining('archive refused'),
      }),
    ]);
  });

  it('refuses bytes that are not a zip archive', async () => {
    const result = await readSourceFile('osv', 'all.zip', Buffer.from('not a zip'));
    expect(result.issues).toEqual([expect.objectContaining({ code: 'UNSAFE_ARCHIVE', document: 'all.zip' })]);
  });
});

describe('directories and mirror bundles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stella-matching-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a directory by extension and content, and lists what it passed over', async () => {
    await mkdir(join(dir, 'pypi'));
    await writeFile(join(dir, 'pypi', 'PYSEC-2024-6.json'), osv('PYSEC-2024-6'));
    await writeFile(join(dir, 'README.md'), '# not data');
    const result = await loadAdvisoryPath(dir);
    expect(result.records.map((r) => r.key)).toEqual(['PYSEC-2024-6']);
    expect(result.files).toEqual(['pypi/PYSEC-2024-6.json']);
    expect(result.skipped).toEqual(['README.md']);
  });

  it('imports only the files a mirror manifest lists, and refuses one whose digest differs', async () => {
    const good = osv('PYSEC-2024-7');
    await writeFile(join(dir, 'good.json'), good);
    await writeFile(join(dir, 'tampered.json'), osv('PYSEC-2024-8'));
    await writeFile(join(dir, 'unlisted.json'), osv('PYSEC-2024-9'));
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    await writeFile(
      join(dir, MIRROR_MANIFEST),
      JSON.stringify({
        format: 'stella-advisory-mirror/v1',
        files: [
          { path: 'good.json', source: 'osv', sha256: sha(good) },
          { path: 'tampered.json', source: 'osv', sha256: sha('something else') },
          { path: '../outside.json', source: 'osv', sha256: sha(good) },
        ],
      }),
    );
    const result = await loadAdvisoryPath(dir);
    expect(result.records.map((r) => r.key)).toEqual(['PYSEC-2024-7']);
    expect(result.issues.map((i) => [i.code, i.document])).toEqual([
      ['DIGEST_MISMATCH', 'tampered.json'],
      ['UNSAFE_ARCHIVE', '../outside.json'],
    ]);
  });
});

import tar from 'tar-stream';
import { EvidenceError } from './errors';

export interface ArchiveEntry {
  path: string;
  data: Buffer;
}

/** Fixed header fields: the same entries always give the same bytes. */
const FIXED = { mtime: new Date(0), uid: 0, gid: 0, mode: 0o644, uname: '', gname: '', type: 'file' as const };

/**
 * A deterministic ustar archive: entries sorted by path (byte order), mtime 0, uid/gid 0, mode
 * 0644, no user or group names, regular files only.
 */
export async function writeDeterministicTar(entries: readonly ArchiveEntry[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  for (let i = 0; i < sorted.length; i += 1) {
    assertSafePath(sorted[i]!.path);
    if (i > 0 && sorted[i - 1]!.path === sorted[i]!.path) throw new EvidenceError('DUPLICATE_ENTRY', `two entries are named ${sorted[i]!.path}`);
  }
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (chunk) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const entry of sorted) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ ...FIXED, name: entry.path, size: entry.data.length }, entry.data, (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  return done;
}

export interface ReadLimits {
  /** Largest archive accepted (bytes). */
  maxArchiveBytes: number;
  /** Largest single entry (bytes). */
  maxEntryBytes: number;
  maxEntries: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxArchiveBytes: 256 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxEntries: 10_000,
};

/** Relative, normalised, no `..`, no absolute path, no backslash or NUL, printable. */
export function assertSafePath(path: string): void {
  const unsafe =
    path.length === 0 ||
    path.length > 255 ||
    path.startsWith('/') ||
    /^[A-Za-z]:/.test(path) ||
    path.includes('\\') ||
    path.includes('\0') ||
    [...path].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ||
    path.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (unsafe) throw new EvidenceError('ENTRY_UNSAFE', `unsafe entry path ${JSON.stringify(path)} (absolute, traversal or not normalised)`, { path });
}

/**
 * Reads an archive into memory, refusing anything but a well-formed set of regular files:
 * oversized or truncated archives, links, directories, devices, unsafe paths and duplicates.
 */
export async function readArchive(archive: Buffer, limits: Partial<ReadLimits> = {}): Promise<Map<string, Buffer>> {
  const l = { ...DEFAULT_READ_LIMITS, ...limits };
  if (archive.length > l.maxArchiveBytes) {
    throw new EvidenceError('ARCHIVE_TOO_LARGE', `archive is ${archive.length} bytes, more than the ${l.maxArchiveBytes} accepted`, { size: archive.length });
  }
  // A tar archive is whole 512-byte blocks ending with two zero blocks; anything shorter was cut.
  if (archive.length < 1024 || archive.length % 512 !== 0 || !archive.subarray(archive.length - 1024).equals(Buffer.alloc(1024))) {
    throw new EvidenceError('ARCHIVE_TRUNCATED', 'archive is truncated (it does not end with the two zero blocks of a complete tar)');
  }
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const result = new Promise<Map<string, Buffer>>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      try {
        if (header.type !== 'file') {
          throw new EvidenceError('ENTRY_UNSAFE', `entry ${JSON.stringify(header.name)} is a ${header.type ?? 'special entry'}, only regular files are accepted`, {
            path: header.name,
            type: header.type,
          });
        }
        assertSafePath(header.name);
        if (files.has(header.name)) throw new EvidenceError('DUPLICATE_ENTRY', `entry ${header.name} appears twice`, { path: header.name });
        if (files.size >= l.maxEntries) throw new EvidenceError('TOO_MANY_ENTRIES', `more than ${l.maxEntries} entries`);
        if ((header.size ?? 0) > l.maxEntryBytes) {
          throw new EvidenceError('ENTRY_TOO_LARGE', `entry ${header.name} is ${header.size} bytes, more than the ${l.maxEntryBytes} accepted`, { path: header.name });
        }
      } catch (error) {
        stream.on('error', () => undefined);
        extract.on('error', () => undefined);
        reject(error);
        extract.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        files.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.on('error', (error: Error) => extract.destroy(error));
    });
    extract.on('finish', () => resolve(files));
    extract.on('error', (error: Error) =>
      reject(error instanceof EvidenceError ? error : new EvidenceError('ARCHIVE_MALFORMED', `not a readable tar archive: ${error.message}`, {}, { cause: error })),
    );
  });
  extract.end(archive);
  return result;
}

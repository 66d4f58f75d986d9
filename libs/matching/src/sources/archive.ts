import * as yauzl from 'yauzl';
import { MatchingError } from '../errors';
import { hasControlCharacter } from './record';

export interface ArchiveLimits {
  /** Entries read from one archive (OSV's largest per-ecosystem zip has ~200k). */
  readonly maxEntries: number;
  /** Uncompressed size of one entry. */
  readonly maxEntryBytes: number;
  /** Uncompressed size of all entries together. */
  readonly maxTotalBytes: number;
  /** Uncompressed/compressed ratio above which an entry over 1 MiB is treated as a bomb. */
  readonly maxCompressionRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 500_000,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
};

export type ArchiveEntry =
  | { readonly name: string; readonly bytes: Buffer }
  | { readonly name: string; readonly refused: MatchingError };

/** Why an entry name is unsafe (absolute, `..`, backslash, drive letter, control characters), or null. */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0 || name.length > 1024) return 'empty or longer than 1024 characters';
  if (hasControlCharacter(name)) return 'contains control characters';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').some((part) => part === '..')) return 'escapes the archive root (..)';
  return null;
}

function openZip(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      bytes,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true },
      (error, zip) => {
        if (error || !zip) reject(error ?? new Error('no zip file'));
        else resolve(zip);
      },
    );
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject(error ?? new Error('no stream'));
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // The declared size is checked before reading; this guards a lying header.
        if (size > limit) stream.destroy(new Error(`entry inflates past ${limit} bytes`));
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/**
 * Reads a zip archive in memory, entry by entry, refusing what could hurt: unsafe names and
 * oversized or over-compressed entries are refused one by one (the rest is read); an archive
 * whose entries together exceed `maxTotalBytes`, or with too many entries, is refused whole.
 * Nothing is ever written to disk.
 */
export async function readZipEntries(
  bytes: Buffer,
  document: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveEntry[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(bytes);
  } catch (error) {
    throw new MatchingError(
      'UNSAFE_ARCHIVE',
      `${document}: not a readable zip archive: ${(error as Error).message}`,
      { document },
    );
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new MatchingError(
      'UNSAFE_ARCHIVE',
      `${document}: ${zip.entryCount} entries, over the limit of ${limits.maxEntries}`,
      { document },
    );
  }
  const entries: ArchiveEntry[] = [];
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const name = Buffer.isBuffer(entry.fileName)
            ? (entry.fileName as Buffer).toString('utf8')
            : String(entry.fileName);
          if (name.endsWith('/')) return; // directory
          const unsafe = unsafeEntryName(name);
          if (unsafe) {
            entries.push({
              name,
              refused: new MatchingError(
                'UNSAFE_ARCHIVE',
                `${document}: entry "${name.slice(0, 200)}" ${unsafe}; refused`,
                { document, entry: name },
              ),
            });
            return;
          }
          const size = entry.uncompressedSize;
          total += size;
          if (total > limits.maxTotalBytes) {
            throw new MatchingError(
              'UNSAFE_ARCHIVE',
              `${document}: entries inflate past ${limits.maxTotalBytes} bytes in total (zip bomb?); archive refused`,
              { document },
            );
          }
          if (size > limits.maxEntryBytes) {
            entries.push({
              name,
              refused: new MatchingError(
                'DOCUMENT_TOO_LARGE',
                `${document}: entry "${name}" inflates to ${size} bytes, over the ${limits.maxEntryBytes}-byte limit; refused`,
                { document, entry: name },
              ),
            });
            return;
          }
          if (size > 1024 * 1024 && size / Math.max(1, entry.compressedSize) > limits.maxCompressionRatio) {
            entries.push({
              name,
              refused: new MatchingError(
                'UNSAFE_ARCHIVE',
                `${document}: entry "${name}" compresses ${Math.round(size / Math.max(1, entry.compressedSize))}:1 (zip bomb?); refused`,
                { document, entry: name },
              ),
            });
            return;
          }
          entries.push({ name, bytes: await readEntry(zip, entry, limits.maxEntryBytes) });
        })()
          .then(() => zip.readEntry())
          .catch(reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    if (error instanceof MatchingError) throw error;
    throw new MatchingError(
      'UNSAFE_ARCHIVE',
      `${document}: ${(error as Error).message}`,
      { document },
      { cause: error },
    );
  }
  return entries;
}

import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import type { RecordIssue } from '../errors';
import type { ReadResult, SourceRecord } from '../model';
import { SOURCE_IDS } from '../model';
import { unsafeEntryName } from './archive';
import { readSourceFile, type ReadSourceOptions } from './read-source';

/** File name of a mirror bundle's manifest, at the bundle root. */
export const MIRROR_MANIFEST = 'stella-mirror.json';

/**
 * An offline mirror bundle: the files to import, each with its connector and sha256. Files not
 * listed are ignored; a file whose digest differs is refused (DIGEST_MISMATCH), the rest imported.
 */
export const mirrorManifestSchema = z.strictObject({
  format: z.literal('stella-advisory-mirror/v1'),
  createdAt: z.string().max(64).optional(),
  files: z
    .array(
      z.strictObject({
        path: z.string().min(1).max(1024),
        source: z.enum(SOURCE_IDS),
        sha256: z.string().regex(/^[a-f0-9]{64}$/),
      }),
    )
    .max(100_000),
});
export type MirrorManifest = z.infer<typeof mirrorManifestSchema>;

// `list` / `*.list`: the Debian security tracker's DSA/DLA lists.
const READABLE = /(\.(json|jsonl|ndjson|csv|gz|zip|xml|list)|(^|\/)list)$/i;

export interface LoadPathResult extends ReadResult {
  /** Files read, relative to the path given. */
  readonly files: string[];
  /** Files passed over because no connector reads their extension. */
  readonly skipped: string[];
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    // Symlinks are not followed: a bundle cannot point the import outside itself.
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
  }
}

/**
 * Reads advisories from a file, a directory (recursively, by extension and content) or a mirror
 * bundle (a directory with `stella-mirror.json`). Offline: never touches the network.
 */
export async function loadAdvisoryPath(
  path: string,
  options: ReadSourceOptions = {},
): Promise<LoadPathResult> {
  const info = await lstat(path);
  if (info.isFile()) {
    const result = await readSourceFile('auto', path, await readFile(path), options);
    return { ...result, files: [path], skipped: [] };
  }
  if (!info.isDirectory()) throw new Error(`${path}: neither a file nor a directory`);
  let manifestText: string | undefined;
  try {
    manifestText = await readFile(join(path, MIRROR_MANIFEST), 'utf8');
  } catch {
    manifestText = undefined;
  }
  const records: SourceRecord[] = [];
  const issues: RecordIssue[] = [];
  const files: string[] = [];
  const skipped: string[] = [];
  if (manifestText !== undefined) {
    let manifest: MirrorManifest;
    try {
      manifest = mirrorManifestSchema.parse(JSON.parse(manifestText));
    } catch (error) {
      issues.push({
        level: 'error',
        code: 'SCHEMA_VIOLATION',
        document: MIRROR_MANIFEST,
        message: `${MIRROR_MANIFEST}: ${(error as Error).message.slice(0, 500)}`,
      });
      return { records, issues, files, skipped };
    }
    for (const file of manifest.files) {
      const unsafe = unsafeEntryName(file.path);
      if (unsafe) {
        issues.push({
          level: 'error',
          code: 'UNSAFE_ARCHIVE',
          document: file.path.slice(0, 200),
          message: `${MIRROR_MANIFEST}: path ${unsafe}; refused`,
        });
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(join(path, file.path));
      } catch (error) {
        issues.push({
          level: 'error',
          code: 'UNREADABLE_FILE',
          document: file.path,
          message: `${file.path}: ${(error as Error).message}`,
        });
        continue;
      }
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== file.sha256) {
        issues.push({
          level: 'error',
          code: 'DIGEST_MISMATCH',
          document: file.path,
          message: `${file.path}: sha256 ${digest} differs from the manifest's ${file.sha256}; refused`,
        });
        continue;
      }
      const result = await readSourceFile(file.source, file.path, bytes, options);
      records.push(...result.records);
      issues.push(...result.issues);
      files.push(file.path);
    }
    return { records, issues, files, skipped };
  }
  const all: string[] = [];
  await walk(path, path, all);
  for (const file of all) {
    if (!READABLE.test(file)) {
      skipped.push(file);
      continue;
    }
    const result = await readSourceFile('auto', file, await readFile(join(path, file)), options);
    records.push(...result.records);
    issues.push(...result.issues);
    files.push(file);
  }
  return { records, issues, files, skipped };
}

import type { SqlJsStatic } from 'sql.js';
import type { RpmPackage } from '../model';

// Tags and types from rpm's lib/rpmtag.h.
const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  vendor: 1011,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
} as const;
const TYPE = { int32: 4, string: 6, stringArray: 8, i18nString: 9 } as const;
const ENTRY_SIZE = 16;
/** rpm's own sanity limits for a header (headerImport: hdrchkTags / hdrchkData). */
const MAX_INDEX_ENTRIES = 0x0000ffff;
const MAX_DATA_BYTES = 0x0fffffff;

interface IndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

export class RpmHeaderError extends Error {}

/**
 * One package header blob as stored in rpmdb.sqlite's `Packages.blob` (rpm's header without
 * the lead magic): big-endian index count and data length, then 16-byte index entries
 * (tag, type, offset, count) and the data store they point into.
 */
export function parseRpmHeader(blob: Uint8Array): RpmPackage | undefined {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 8) throw new RpmHeaderError('header shorter than its preamble');
  const indexCount = buf.readUInt32BE(0);
  const dataLength = buf.readUInt32BE(4);
  if (indexCount > MAX_INDEX_ENTRIES || dataLength > MAX_DATA_BYTES)
    throw new RpmHeaderError('header sizes out of range');
  const dataStart = 8 + indexCount * ENTRY_SIZE;
  if (dataStart + dataLength > buf.length) throw new RpmHeaderError('header truncated');
  const data = buf.subarray(dataStart, dataStart + dataLength);
  const entries = new Map<number, IndexEntry>();
  for (let i = 0; i < indexCount; i++) {
    const at = 8 + i * ENTRY_SIZE;
    const entry = {
      tag: buf.readInt32BE(at),
      type: buf.readUInt32BE(at + 4),
      offset: buf.readInt32BE(at + 8),
      count: buf.readUInt32BE(at + 12),
    };
    if (entry.offset < 0 || entry.offset > dataLength) continue;
    if (!entries.has(entry.tag)) entries.set(entry.tag, entry);
  }

  const strings = (tag: number): string[] | undefined => {
    const entry = entries.get(tag);
    if (
      !entry ||
      (entry.type !== TYPE.string && entry.type !== TYPE.stringArray && entry.type !== TYPE.i18nString)
    )
      return undefined;
    const count = entry.type === TYPE.string ? 1 : entry.count;
    const result: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < count; i++) {
      const end = data.indexOf(0, at);
      if (end < 0) throw new RpmHeaderError(`unterminated string in tag ${tag}`);
      result.push(data.toString('utf8', at, end));
      at = end + 1;
    }
    return result;
  };
  const string = (tag: number) => strings(tag)?.[0];
  const int32s = (tag: number): number[] | undefined => {
    const entry = entries.get(tag);
    if (!entry || entry.type !== TYPE.int32) return undefined;
    if (entry.offset + entry.count * 4 > data.length)
      throw new RpmHeaderError(`int32 array out of range in tag ${tag}`);
    const result: number[] = [];
    for (let i = 0; i < entry.count; i++) result.push(data.readInt32BE(entry.offset + i * 4));
    return result;
  };

  const name = string(TAG.name);
  const version = string(TAG.version);
  const release = string(TAG.release);
  // gpg-pubkey "packages" are imported keys, not software.
  if (!name || !version || release === undefined || name === 'gpg-pubkey') return undefined;
  const pkg: RpmPackage = { name, version, release, files: [] };
  const epoch = int32s(TAG.epoch)?.[0];
  if (epoch !== undefined) pkg.epoch = epoch;
  const arch = string(TAG.arch);
  if (arch) pkg.architecture = arch;
  const license = string(TAG.license);
  if (license) pkg.license = license;
  const sourceRpm = string(TAG.sourceRpm);
  if (sourceRpm) pkg.sourceRpm = sourceRpm;
  const vendor = string(TAG.vendor);
  if (vendor) pkg.vendor = vendor;
  const baseNames = strings(TAG.baseNames) ?? [];
  const dirNames = strings(TAG.dirNames) ?? [];
  const dirIndexes = int32s(TAG.dirIndexes) ?? [];
  for (let i = 0; i < baseNames.length; i++) {
    const dir = dirNames[dirIndexes[i] ?? -1];
    if (dir === undefined) continue;
    pkg.files.push(`${dir}${baseNames[i]}`.replace(/^\/+/, ''));
  }
  return pkg;
}

let sqlJs: Promise<SqlJsStatic> | undefined;

/** sql.js is SQLite compiled to wasm: no native build, loads in ~50 ms, only when an rpmdb exists. */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (require('sql.js') as (config?: object) => Promise<SqlJsStatic>)();
  return sqlJs;
}

/** All packages of an rpm sqlite database (`/var/lib/rpm/rpmdb.sqlite`). */
export async function parseRpmDb(bytes: Uint8Array): Promise<{ packages: RpmPackage[]; skipped: number }> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(bytes);
  try {
    const packages: RpmPackage[] = [];
    let skipped = 0;
    const statement = db.prepare('SELECT blob FROM Packages ORDER BY hnum');
    try {
      while (statement.step()) {
        const blob = statement.get()[0];
        if (!(blob instanceof Uint8Array)) {
          skipped++;
          continue;
        }
        try {
          const pkg = parseRpmHeader(blob);
          if (pkg) packages.push(pkg);
        } catch (error) {
          if (!(error instanceof RpmHeaderError)) throw error;
          skipped++;
        }
      }
    } finally {
      statement.free();
    }
    return { packages, skipped };
  } finally {
    db.close();
  }
}

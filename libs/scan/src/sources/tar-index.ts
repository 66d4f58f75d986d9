import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ScanError } from '../errors';
import { normalizeEntryPath } from '../layers/paths';

const BLOCK = 512;

export interface TarMember {
  offset: number;
  size: number;
}

/**
 * Index of the regular files in an uncompressed tar (oci-archive, docker-archive), built by
 * reading only the 512-byte headers, so that blobs can be streamed straight out of the archive
 * without extracting it. Handles ustar prefixes, GNU long names and pax `path` records.
 */
export async function indexTar(path: string, maxMembers = 1_000_000): Promise<Map<string, TarMember>> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new ScanError('SOURCE_NOT_FOUND', `cannot open archive ${path}`, { path }, { cause: error });
  }
  const members = new Map<string, TarMember>();
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(BLOCK);
    let position = 0;
    let longName: string | undefined;
    let paxPath: string | undefined;
    while (position + BLOCK <= fileSize) {
      await readExactly(handle, header, position);
      if (header.every((b) => b === 0)) break;
      const type = String.fromCharCode(header[156] ?? 0x30);
      const size = parseNumber(header.subarray(124, 136));
      const dataOffset = position + BLOCK;
      if (size < 0 || dataOffset + size > fileSize)
        throw new ScanError('INVALID_SOURCE', `archive ${path} is truncated or corrupt`, { path });
      const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L' || type === 'x') {
        if (size > 1024 * 1024)
          throw new ScanError('INVALID_SOURCE', `oversized tar extension header in ${path}`, { path });
        const data = Buffer.alloc(size);
        await readExactly(handle, data, dataOffset);
        if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
        else paxPath = parsePaxPath(data) ?? paxPath;
        position = next;
        continue;
      }
      let name = longName ?? paxPath ?? cString(header.subarray(0, 100));
      if (
        longName === undefined &&
        paxPath === undefined &&
        header.subarray(257, 262).toString('latin1') === 'ustar'
      ) {
        const prefix = cString(header.subarray(345, 500));
        if (prefix) name = `${prefix}/${name}`;
      }
      longName = undefined;
      paxPath = undefined;
      if (type === '0' || type === '\0' || type === '7') {
        const normalized = normalizeEntryPath(name, 4096, { archive: path });
        if (normalized !== null) members.set(normalized, { offset: dataOffset, size });
        if (members.size > maxMembers)
          throw new ScanError('TOO_MANY_ENTRIES', `archive ${path} has too many members`, { path });
      }
      position = next;
    }
  } finally {
    await handle.close();
  }
  return members;
}

async function readExactly(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  if (bytesRead !== buffer.length) throw new ScanError('INVALID_SOURCE', 'archive ended early');
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

/** Octal (NUL/space terminated) or GNU base-256 for large sizes. */
function parseNumber(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function parsePaxPath(data: Buffer): string | undefined {
  let at = 0;
  let path: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(data.toString('utf8', at, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    at += length;
  }
  return path;
}

export function openMember(archive: string, member: TarMember): Readable {
  if (member.size === 0) return Readable.from([]);
  return createReadStream(archive, {
    start: member.offset,
    end: member.offset + member.size - 1,
    highWaterMark: 1 << 20,
  });
}

import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type * as Fzstd from 'fzstd';
import { ScanError } from '../errors';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Compression is told by the content's magic bytes, not the media type, which tools often get wrong. */
export function detectCompression(head: Uint8Array): LayerCompression {
  if (GZIP_MAGIC.every((b, i) => head[i] === b)) return 'gzip';
  if (ZSTD_MAGIC.every((b, i) => head[i] === b)) return 'zstd';
  return 'none';
}

/**
 * Counts and hashes the bytes flowing through and calls `check` after each chunk, so that size and
 * ratio limits stop a decompression bomb while it inflates instead of after.
 */
export class MeteredStream extends Transform {
  bytes = 0;
  private readonly hash: Hash | undefined;
  constructor(
    private readonly check?: (bytes: number) => void,
    /** Hashing is the costliest part of reading an uncompressed layer: only when a digest is wanted. */
    options: { hash?: boolean } = {},
  ) {
    super({ highWaterMark: 1 << 20 });
    if (options.hash !== false) this.hash = createHash('sha256');
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    try {
      this.check?.(this.bytes);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }
  private finalDigest: string | undefined;
  /** sha256 of everything that passed; call after the stream ended. */
  digest(): string {
    if (!this.hash) throw new Error('MeteredStream created without hashing');
    this.finalDigest ??= `sha256:${this.hash.digest('hex')}`;
    return this.finalDigest;
  }
}

/**
 * zstd through fzstd: pure JavaScript, streaming, no native build (Node 20 has no zstd in zlib,
 * and the native bindings need a prebuilt binary download that cannot happen offline).
 */
class ZstdStream extends Transform {
  // Loaded with the first zstd layer: gzip and plain layers never need it.
  private readonly decoder = new (require('fzstd') as typeof Fzstd).Decompress((data) => {
    this.push(Buffer.from(data));
  });
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      callback();
    } catch (error) {
      callback(new ScanError('CORRUPT_LAYER', `zstd stream is corrupt: ${(error as Error).message}`));
    }
  }
  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (error) {
      callback(new ScanError('CORRUPT_LAYER', `zstd stream is corrupt: ${(error as Error).message}`));
    }
  }
}

export function createDecompressor(kind: LayerCompression): Transform {
  // Large output chunks: zlib's 16 KiB default makes the pipeline pay per-chunk overhead 60x more often.
  if (kind === 'gzip') return createGunzip({ chunkSize: 1 << 20 });
  if (kind === 'zstd') return new ZstdStream();
  return new PassThrough();
}

/** Reads the first bytes of a stream without losing them: returns them and a stream of everything. */
export async function peek(source: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

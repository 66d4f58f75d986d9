import type { GoModule } from '../model';

/** From Go's src/debug/buildinfo/buildinfo.go. */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const ALIGN = 16;
const FLAG_VERSION_INLINE = 0x2;
const MAX_BLOB = 16 * 1024 * 1024;
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export interface GoBuildInfo {
  goVersion: string;
  /** The `path` line: the main package's import path. */
  mainPackage?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: { key: string; value: string }[];
}

export type GoScanOutcome =
  | { kind: 'found'; info: GoBuildInfo }
  /** Go < 1.18 stores pointers to the strings, which needs the whole binary to follow. */
  | { kind: 'pointer-format' }
  | { kind: 'none' };

type Decoded =
  | 'need-more'
  | 'invalid'
  | { kind: 'pointer-format' }
  | { kind: 'found'; goVersion: string; modinfo: string };

/**
 * Finds the Go build info in an ELF binary while it streams past, keeping only a few bytes of
 * look-behind: the blob starts with a 16-byte-aligned magic in `.go.buildinfo`, and since Go 1.18
 * carries the version and module strings inline after its 32-byte header. A magic that does not
 * decode (e.g. the constant inside the Go toolchain's own rodata) is skipped.
 */
export class GoBuildInfoScanner {
  private offset = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private collecting: Buffer | undefined;
  private outcome: GoScanOutcome | undefined;
  private checkedElf = false;

  /** True once the answer is known; further chunks can be skipped. */
  get done(): boolean {
    return this.outcome !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.outcome) return;
    if (!this.checkedElf) {
      this.window = Buffer.concat([this.window, chunk]);
      this.windowStart = 0;
      this.offset += chunk.length;
      if (this.window.length < ELF_MAGIC.length) return;
      this.checkedElf = true;
      if (!this.window.subarray(0, 4).equals(ELF_MAGIC)) {
        this.outcome = { kind: 'none' };
        return;
      }
      this.search();
      return;
    }
    const start = this.offset;
    this.offset += chunk.length;
    if (this.collecting) {
      this.collecting = Buffer.concat([this.collecting, chunk]);
      this.tryDecode();
      return;
    }
    this.window = this.window.length > 0 ? Buffer.concat([this.window, chunk]) : chunk;
    if (this.window.length === chunk.length) this.windowStart = start;
    this.search();
  }

  finish(): GoScanOutcome {
    return this.outcome ?? { kind: 'none' };
  }

  private search(): void {
    let from = 0;
    for (;;) {
      const i = this.window.indexOf(MAGIC, from);
      if (i < 0) break;
      if ((this.windowStart + i) % ALIGN === 0) {
        this.collecting = Buffer.from(this.window.subarray(i));
        this.windowStart += i;
        this.window = Buffer.alloc(0);
        this.tryDecode();
        return;
      }
      from = i + 1;
    }
    // Keep a tail so a magic split across chunks is still seen.
    const keep = Math.min(this.window.length, MAGIC.length - 1);
    this.windowStart += this.window.length - keep;
    this.window = Buffer.from(this.window.subarray(this.window.length - keep));
  }

  private tryDecode(): void {
    const blob = this.collecting;
    if (!blob) return;
    const decoded = decodeBlob(blob);
    if (decoded === 'need-more') {
      if (blob.length > MAX_BLOB) this.resumeAfterInvalid(blob);
      return;
    }
    if (decoded === 'invalid') {
      this.resumeAfterInvalid(blob);
      return;
    }
    this.collecting = undefined;
    if (decoded.kind === 'pointer-format') {
      this.outcome = decoded;
      return;
    }
    this.outcome = {
      kind: 'found',
      info: { goVersion: decoded.goVersion, ...parseModInfo(decoded.modinfo) },
    };
  }

  private resumeAfterInvalid(blob: Buffer): void {
    this.collecting = undefined;
    this.window = blob.subarray(1);
    this.windowStart += 1;
    this.search();
  }
}

function decodeBlob(blob: Buffer): Decoded {
  if (blob.length < HEADER_SIZE) return 'need-more';
  const ptrSize = blob[14];
  if (ptrSize !== 4 && ptrSize !== 8) return 'invalid';
  const flags = blob[15] ?? 0;
  if ((flags & FLAG_VERSION_INLINE) === 0) return { kind: 'pointer-format' };
  const version = readVarString(blob, HEADER_SIZE);
  if (version === 'need-more' || version === 'invalid') return version;
  const mod = readVarString(blob, version.next);
  if (mod === 'need-more' || mod === 'invalid') return mod;
  const goVersion = version.value.toString('utf8');
  if (!/^(go\d|devel)/.test(goVersion)) return 'invalid';
  let modinfo = mod.value.toString('utf8');
  // Strip the 16-byte sentinels cmd/go puts around the module info (infoStart/infoEnd).
  if (mod.value.length >= 33 && mod.value[mod.value.length - 17] === 0x0a)
    modinfo = mod.value.subarray(16, mod.value.length - 16).toString('utf8');
  else modinfo = '';
  return { kind: 'found', goVersion, modinfo };
}

function readVarString(buf: Buffer, at: number): { value: Buffer; next: number } | 'need-more' | 'invalid' {
  let length = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= buf.length) return 'need-more';
    const byte = buf[i++] ?? 0;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 35) return 'invalid';
  }
  if (length > MAX_BLOB) return 'invalid';
  if (i + length > buf.length) return 'need-more';
  return { value: buf.subarray(i, i + length), next: i + length };
}

/** runtime/debug.ParseBuildInfo's text format: tab-separated `path`, `mod`, `dep`, `=>`, `build` lines. */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const result: Omit<GoBuildInfo, 'goVersion'> = { deps: [], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split('\t');
    const [kind, a, b, c] = fields;
    if (kind === 'path' && a) result.mainPackage = a;
    else if ((kind === 'mod' || kind === 'dep') && a) {
      const module: GoModule = { path: a, version: b ?? '' };
      if (c) module.sum = c;
      if (kind === 'mod') result.main = module;
      else result.deps.push(module);
      last = module;
    } else if (kind === '=>' && a && last) {
      last.replacedBy = b ? { path: a, version: b } : { path: a };
    } else if (kind === 'build' && a) {
      const eq = a.indexOf('=');
      if (eq > 0)
        result.settings.push({
          key: a.slice(0, eq),
          value: fields
            .slice(1)
            .join('\t')
            .slice(eq + 1),
        });
    }
  }
  return result;
}

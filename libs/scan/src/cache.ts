import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ANALYZER_VERSION, isLayerAnalysis, layerSchemas, type LayerAnalysis } from './model';
import { safeParseChecked } from './validation/lazy-zod';

/**
 * Where per-layer analyses are kept between scans, keyed by the layer's diff id (sha256 of the
 * uncompressed tar, which the image config names and the scanner verifies). An image that shares
 * base layers with a scanned one only streams its new layers. The scanner service backs this
 * port with Postgres/S3; the CLI uses the filesystem.
 */
export interface LayerCache {
  get(diffId: string): Promise<LayerAnalysis | undefined>;
  put(diffId: string, analysis: LayerAnalysis): Promise<void>;
}

/** An analysis is only reused by the analyzer version that made it. */
export function isCurrentAnalysis(value: unknown, diffId: string): value is LayerAnalysis {
  const parsed = safeParseChecked(value, isLayerAnalysis, () => layerSchemas().layerAnalysisSchema);
  return parsed.success && parsed.data.analyzerVersion === ANALYZER_VERSION && parsed.data.diffId === diffId;
}

/** Bounded LRU in process memory (tests, long-running workers). */
export class InMemoryLayerCache implements LayerCache {
  private readonly entries = new Map<string, LayerAnalysis>();
  constructor(private readonly maxEntries = 256) {}

  async get(diffId: string): Promise<LayerAnalysis | undefined> {
    const hit = this.entries.get(diffId);
    if (!hit) return undefined;
    this.entries.delete(diffId);
    this.entries.set(diffId, hit);
    return structuredClone(hit);
  }

  async put(diffId: string, analysis: LayerAnalysis): Promise<void> {
    this.entries.delete(diffId);
    this.entries.set(diffId, structuredClone(analysis));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * One gzip'd JSON file per layer under `<dir>/v<analyzer version>/`, written atomically
 * (temporary file + rename) so that concurrent scans never read half a file. Unreadable or
 * foreign entries are treated as misses and removed.
 */
export class FileSystemLayerCache implements LayerCache {
  constructor(private readonly dir: string) {}

  private pathFor(diffId: string): string {
    const safe = diffId.replace(/[^a-zA-Z0-9]/g, '-');
    return join(this.dir, `v${ANALYZER_VERSION}`, `${safe}.json.gz`);
  }

  async get(diffId: string): Promise<LayerAnalysis | undefined> {
    const path = this.pathFor(diffId);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    try {
      const value = JSON.parse(gunzipSync(bytes).toString('utf8')) as Partial<LayerAnalysis> | null;
      // A cheap identity check only: scanImage validates every cached analysis against the schema
      // before using it (once per scan, whatever the cache), so it is not parsed twice here.
      if (value?.analyzerVersion === ANALYZER_VERSION && value.diffId === diffId)
        return value as LayerAnalysis;
    } catch {
      // fall through: corrupt entry
    }
    await rm(path, { force: true });
    return undefined;
  }

  async put(diffId: string, analysis: LayerAnalysis): Promise<void> {
    const path = this.pathFor(diffId);
    await mkdir(join(this.dir, `v${ANALYZER_VERSION}`), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, gzipSync(JSON.stringify(analysis), { level: 1 }));
    await rename(temporary, path);
  }
}

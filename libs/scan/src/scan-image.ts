import type { Platform, RegistryClient, RegistryClientOptions } from '@stella/oci';
import type { LayerCache } from './cache';
import { isCurrentAnalysis } from './cache';
import { ScanError, isScanError } from './errors';
import type * as AnalyzeLayerModule from './layers/analyze-layer';
import { resolveLimits, type ScanLimitsInput } from './limits';
import type { LayerAnalysis, ScanResult } from './model';
import { resolveComponents } from './resolve';
import { DEFAULT_PLATFORM, type ImageSource } from './sources/image-source';
import { parseImageSource } from './sources/parse-source';
import { parsePlatform } from './sources/platform';

export type ScanProgress =
  | { phase: 'opened'; layerCount: number; totalBytes?: number }
  | {
      phase: 'layer';
      layerIndex: number;
      layerCount: number;
      digest: string;
      size?: number;
      bytesRead: number;
    }
  | { phase: 'layer-done'; layerIndex: number; layerCount: number; digest: string; cached: boolean }
  | { phase: 'done'; components: number };

export interface ScanOptions {
  /** `os/arch[/variant]`; selects from a multi-platform index (default linux/amd64). */
  platform?: string | Platform;
  layerCache?: LayerCache;
  limits?: ScanLimitsInput;
  onProgress?: (progress: ScanProgress) => void;
  /** A client or its options, for registry references. */
  registry?: RegistryClient | RegistryClientOptions;
  /** Layers analysed at the same time (1-8, default 2). */
  concurrency?: number;
}

/**
 * Scans one image: resolves the source and platform, streams each layer not already in the
 * cache through the safe layer reader and catalogers, then merges the layers into the image's
 * components. Any refusal (unsafe path, bomb, digest mismatch...) rejects with a ScanError and
 * nothing of that layer is cached.
 */
export async function scanImage(
  source: string | ImageSource,
  options: ScanOptions = {},
): Promise<ScanResult> {
  const limits = resolveLimits(options.limits);
  let platform: Platform | undefined;
  try {
    platform = typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  } catch (error) {
    throw new ScanError(
      'INVALID_ARGUMENT',
      `invalid platform: ${String(options.platform)}`,
      {},
      { cause: error },
    );
  }
  const imageSource = typeof source === 'string' ? parseImageSource(source, options.registry) : source;
  const image = await imageSource.open(platform, limits);
  const progress = options.onProgress ?? (() => undefined);
  try {
    const totalBytes = image.layers.every((l) => l.size !== undefined)
      ? image.layers.reduce((sum, l) => sum + (l.size ?? 0), 0)
      : undefined;
    progress({
      phase: 'opened',
      layerCount: image.layers.length,
      ...(totalBytes !== undefined ? { totalBytes } : {}),
    });
    // Layers are analysed `concurrency` at a time (default 2): reading, inflating (zlib runs off the
    // main thread) and hashing of one layer overlap with another's. Results keep layer order.
    const concurrency = Math.max(1, Math.min(options.concurrency ?? 2, 8));
    const analyses: LayerAnalysis[] = new Array<LayerAnalysis>(image.layers.length);
    let entries = 0;
    let bytes = 0;
    let fromCache = 0;
    let failed = false;
    const analyzeAt = async (index: number): Promise<void> => {
      const layer = image.layers[index]!;
      let analysis = await options.layerCache?.get(layer.diffId);
      if (analysis && !isCurrentAnalysis(analysis, layer.diffId)) analysis = undefined;
      const cached = analysis !== undefined;
      if (analysis) fromCache++;
      else {
        const { stream, verified } = await image.openLayer(layer);
        try {
          // Loaded with the first layer the cache does not hold (tar-stream and every cataloger):
          // a rescan whose layers are all cached never reads a tar.
          const { analyzeLayer } = require('./layers/analyze-layer') as typeof AnalyzeLayerModule;
          analysis = await analyzeLayer(stream, {
            digest: layer.digest,
            expectedDiffId: layer.diffId,
            ...(!verified && layer.digest !== layer.diffId ? { expectedCompressedDigest: layer.digest } : {}),
            limits,
            entryBudget: limits.maxEntries - entries,
            byteBudget: limits.maxImageBytes - bytes,
            onBytes: (bytesRead) =>
              progress({
                phase: 'layer',
                layerIndex: index,
                layerCount: image.layers.length,
                digest: layer.digest,
                bytesRead,
                ...(layer.size !== undefined ? { size: layer.size } : {}),
              }),
          });
        } catch (error) {
          stream.destroy();
          throw isScanError(error)
            ? error
            : new ScanError(
                'CORRUPT_LAYER',
                `layer ${layer.digest}: ${(error as Error).message}`,
                { layer: layer.digest },
                { cause: error },
              );
        }
      }
      // Image-wide limits, counted as layers finish (cached layers included).
      entries += analysis.entryCount;
      bytes += analysis.uncompressedBytes;
      if (entries > limits.maxEntries)
        throw new ScanError('TOO_MANY_ENTRIES', `image has more than ${limits.maxEntries} entries`, {
          layer: layer.digest,
          limit: limits.maxEntries,
        });
      if (bytes > limits.maxImageBytes)
        throw new ScanError('TOO_LARGE', `image inflates beyond ${limits.maxImageBytes} bytes`, {
          layer: layer.digest,
          limit: limits.maxImageBytes,
        });
      if (!cached && !failed) await options.layerCache?.put(layer.diffId, analysis);
      analyses[index] = analysis;
      progress({
        phase: 'layer-done',
        layerIndex: index,
        layerCount: image.layers.length,
        digest: layer.digest,
        cached,
      });
    };
    let next = 0;
    const lanes = Array.from({ length: Math.min(concurrency, image.layers.length) }, async () => {
      while (next < image.layers.length && !failed) {
        const index = next++;
        try {
          await analyzeAt(index);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    });
    const settled = await Promise.allSettled(lanes);
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected) throw rejected.reason;
    const resolved = resolveComponents(analyses);
    const componentsByEcosystem: Record<string, number> = {};
    for (const c of resolved.components) {
      const key = c.ecosystem ?? c.kind;
      componentsByEcosystem[key] = (componentsByEcosystem[key] ?? 0) + 1;
    }
    const config = image.config;
    const result: ScanResult = {
      image: {
        ...(image.name ? { name: image.name } : {}),
        ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}),
        ...(image.indexDigest ? { indexDigest: image.indexDigest } : {}),
        configDigest: image.configDigest,
        platform: {
          os: config.os ?? platform?.os ?? DEFAULT_PLATFORM.os,
          architecture: config.architecture ?? platform?.architecture ?? DEFAULT_PLATFORM.architecture,
          ...(config.variant ? { variant: config.variant } : {}),
        },
        ...(config.created ? { created: config.created } : {}),
        layers: image.layers.map((l) => ({
          digest: l.digest,
          diffId: l.diffId,
          ...(l.size !== undefined ? { size: l.size } : {}),
          ...(l.mediaType ? { mediaType: l.mediaType } : {}),
        })),
        ...(resolved.os ? { os: resolved.os } : {}),
      },
      components: resolved.components,
      relationships: resolved.relationships,
      warnings: resolved.warnings,
      stats: {
        layers: analyses.length,
        layersFromCache: fromCache,
        entries,
        uncompressedBytes: bytes,
        componentsByEcosystem,
      },
    };
    progress({ phase: 'done', components: result.components.length });
    return result;
  } finally {
    await image.close();
  }
}

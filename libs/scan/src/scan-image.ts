import type { Platform, RegistryClient, RegistryClientOptions } from '@stella/oci';
import type { LayerCache } from './cache';
import { isCurrentAnalysis } from './cache';
import { ScanError, isScanError } from './errors';
import { analyzeLayer } from './layers/analyze-layer';
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
    const analyses: LayerAnalysis[] = [];
    let entries = 0;
    let bytes = 0;
    let fromCache = 0;
    for (const [index, layer] of image.layers.entries()) {
      let analysis = await options.layerCache?.get(layer.diffId);
      if (analysis && !isCurrentAnalysis(analysis, layer.diffId)) analysis = undefined;
      const cached = analysis !== undefined;
      if (analysis) {
        fromCache++;
        if (entries + analysis.entryCount > limits.maxEntries)
          throw new ScanError('TOO_MANY_ENTRIES', `image has more than ${limits.maxEntries} entries`, {
            layer: layer.digest,
            limit: limits.maxEntries,
          });
        if (bytes + analysis.uncompressedBytes > limits.maxImageBytes)
          throw new ScanError('TOO_LARGE', `image inflates beyond ${limits.maxImageBytes} bytes`, {
            layer: layer.digest,
            limit: limits.maxImageBytes,
          });
      } else {
        const { stream, verified } = await image.openLayer(layer);
        try {
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
        await options.layerCache?.put(layer.diffId, analysis);
      }
      entries += analysis.entryCount;
      bytes += analysis.uncompressedBytes;
      analyses.push(analysis);
      progress({
        phase: 'layer-done',
        layerIndex: index,
        layerCount: image.layers.length,
        digest: layer.digest,
        cached,
      });
    }
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

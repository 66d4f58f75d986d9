import { FileSystemLayerCache, scanImage, type ScanResult } from '@stella/scan';
import type { RegistryClient } from '@stella/oci';
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';

/** Port: turns a digest-pinned registry image into a scan result (the layer cache behind it). */
export interface ScanEngine {
  scan(image: string, platform: string): Promise<ScanResult>;
}

export interface LibScanEngineOptions {
  registry: RegistryClient;
  cacheDir: string;
  layerConcurrency: number;
  limits: Record<string, number>;
  metrics: Registry;
}

/**
 * `@stella/scan` over the registry client, with the per-layer analysis cache on disk
 * (STELLA_SCANNER_CACHE_DIR): it survives restarts, and an image sharing base layers with a
 * scanned one only analyses its new layers.
 */
export class LibScanEngine implements ScanEngine {
  private readonly cache: FileSystemLayerCache;
  private readonly scans: Counter<'outcome'>;
  private readonly layers: Counter<'cached'>;
  private readonly duration: Histogram;

  constructor(private readonly options: LibScanEngineOptions) {
    this.cache = new FileSystemLayerCache(options.cacheDir);
    this.scans = new Counter({
      name: 'stella_scanner_scans_total',
      help: 'Image scans executed by this process (not requests: a digest already scanned is never scanned again)',
      labelNames: ['outcome'],
      registers: [options.metrics],
    });
    this.layers = new Counter({
      name: 'stella_scanner_layers_total',
      help: 'Layers processed, by whether their analysis came from the layer cache',
      labelNames: ['cached'],
      registers: [options.metrics],
    });
    this.duration = new Histogram({
      name: 'stella_scanner_scan_duration_seconds',
      help: 'Wall time of one image scan',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [options.metrics],
    });
  }

  async scan(image: string, platform: string): Promise<ScanResult> {
    const stop = this.duration.startTimer();
    try {
      const result = await scanImage(image, {
        platform,
        registry: this.options.registry,
        layerCache: this.cache,
        concurrency: this.options.layerConcurrency,
        limits: this.options.limits,
        onProgress: (progress) => {
          if (progress.phase === 'layer-done') this.layers.inc({ cached: String(progress.cached) });
        },
      });
      this.scans.inc({ outcome: 'completed' });
      return result;
    } catch (error) {
      this.scans.inc({ outcome: 'failed' });
      throw error;
    } finally {
      stop();
    }
  }
}

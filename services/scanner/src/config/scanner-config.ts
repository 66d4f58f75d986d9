import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { registryConfigSchema } from '@stella/oci';
import { z } from 'zod';

export const SCANNER_SERVICE_NAME = 'scanner';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** The scanner's keys on top of every service's (env `STELLA_SCANNER_*`, `STELLA_SCAN_*`, `STELLA_REGISTRY_*`). */
export const scannerConfigSchema = baseServiceConfigSchema.extend({
  ...registryConfigSchema.shape,
  /** Scans running at once in this process (the work queue consumer's concurrency). */
  scannerConcurrency: int(1, 64).default(2),
  /** Attempts of one scan job before it is dead-lettered (`<prefix>.dlq.scanner-jobs`). */
  scannerMaxAttempts: int(1, 20).default(4),
  /** Delay before the n-th retry of a failed scan job, ms (the last value repeats). */
  scannerRetryBackoffMs: z.array(int(0, 3_600_000)).min(1).default([5_000, 30_000, 120_000]),
  /** A scan that does not finish in this time is handed back to the queue (the worker heartbeats while it runs). */
  scannerJobAckWaitMs: int(1000, 3_600_000).default(60_000),
  /** Per-layer analysis cache, persistent across restarts; shared by every tenant (keyed by layer diff id). */
  scannerCacheDir: z.string().min(1).default('./.stella/scanner-cache'),
  /** Layers analysed at once within one scan. */
  scannerLayerConcurrency: int(1, 8).default(2),
  /** Platform scanned when a request names none (multi-platform images). */
  scannerDefaultPlatform: z
    .string()
    .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/)
    .default('linux/amd64'),
  /** S3-compatible endpoint holding the SBOMs, e.g. `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com`. */
  scannerS3Endpoint: z.url({ protocol: /^https?$/ }),
  scannerS3Region: z.string().min(1).default('us-east-1'),
  scannerS3Bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name')
    .default('stella-sboms'),
  scannerS3AccessKey: z.string().min(1),
  /** Secret key (or STELLA_SCANNER_S3_SECRET_KEY_FILE). */
  scannerS3SecretKey: z.string().min(1),
  /** Use TLS; defaults to the endpoint's scheme. */
  scannerS3UseSsl: z.boolean().optional(),
  /** Path-style bucket addressing (MinIO, s3rver); false for virtual-host style. */
  scannerS3PathStyle: z.boolean().default(true),
  /** Create the bucket at start when it does not exist. */
  scannerS3CreateBucket: z.boolean().default(true),
  /** Largest image (uncompressed bytes of all layers) and layer the scanner accepts. */
  scanMaxImageBytes: z.number().int().min(1).optional(),
  scanMaxLayerBytes: z.number().int().min(1).optional(),
  /** Most tar entries in one image. */
  scanMaxEntries: z.number().int().min(1).optional(),
  /** Uncompressed/compressed ratio past which a layer is refused as a decompression bomb. */
  scanMaxCompressionRatio: z.number().int().min(2).optional(),
  /** Largest jar/war/ear read into memory. */
  scanMaxArchiveBytes: z.number().int().min(1).optional(),
  /** Serve the gRPC API (proto/stella/scanner/v1/scanner.proto). */
  scannerGrpcEnabled: z.boolean().default(true),
  scannerGrpcHost: z.string().min(1).default('127.0.0.1'),
  /** gRPC port (0: any free port, for tests). */
  scannerGrpcPort: int(0, 65535).default(7508),
  /** Answer scan submissions on the NATS subject `<prefix>.scanner.submit` (request/reply, for CI). */
  scannerNatsSubmit: z.boolean().default(true),
  /** Images per page of component queries, at most. */
  scannerQueryMaxImages: int(1, 100_000).default(10_000),
});

export type ScannerConfig = z.infer<typeof scannerConfigSchema>;

export function loadScannerConfig(env?: Record<string, string | undefined>): ScannerConfig {
  return loadConfig({
    service: SCANNER_SERVICE_NAME,
    schema: scannerConfigSchema,
    ...(env ? { env } : {}),
  });
}

/** The scan library limits from configuration (unset keys keep the library's defaults). */
export function scanLimitsOf(config: ScannerConfig): Record<string, number> {
  const limits: Record<string, number> = {};
  if (config.scanMaxImageBytes !== undefined) limits.maxImageBytes = config.scanMaxImageBytes;
  if (config.scanMaxLayerBytes !== undefined) limits.maxLayerBytes = config.scanMaxLayerBytes;
  if (config.scanMaxEntries !== undefined) limits.maxEntries = config.scanMaxEntries;
  if (config.scanMaxCompressionRatio !== undefined)
    limits.maxCompressionRatio = config.scanMaxCompressionRatio;
  if (config.scanMaxArchiveBytes !== undefined) limits.maxArchiveBytes = config.scanMaxArchiveBytes;
  return limits;
}

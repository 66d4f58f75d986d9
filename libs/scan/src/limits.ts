import type { z } from 'zod';
import { ScanError } from './errors';
import { lazySchema, prettifyError } from './validation/lazy-zod';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The defaults, as plain values so that a scan without limits given never loads zod. */
const DEFAULTS = {
  maxEntries: 2_000_000,
  maxLayerBytes: 32 * GiB,
  maxImageBytes: 64 * GiB,
  maxCompressionRatio: 200,
  ratioCheckAfterBytes: 64 * MiB,
  maxPathLength: 4096,
  maxMetadataBytes: 64 * MiB,
  maxArchiveBytes: 128 * MiB,
  maxArchiveDepth: 4,
  maxManifestBytes: 4 * MiB,
} as const;

function buildScanLimitsSchema(z: typeof import('zod').z) {
  return z.strictObject({
    /** Tar entries in the whole image (all layers). */
    maxEntries: z.number().int().positive().default(DEFAULTS.maxEntries),
    /** Uncompressed bytes of one layer. */
    maxLayerBytes: z.number().int().positive().default(DEFAULTS.maxLayerBytes),
    /** Uncompressed bytes of all layers together. */
    maxImageBytes: z.number().int().positive().default(DEFAULTS.maxImageBytes),
    /** Uncompressed / compressed bytes of one layer. */
    maxCompressionRatio: z.number().positive().default(DEFAULTS.maxCompressionRatio),
    ratioCheckAfterBytes: z.number().int().nonnegative().default(DEFAULTS.ratioCheckAfterBytes),
    /** Path length of one entry (bytes of the normalized path). */
    maxPathLength: z.number().int().positive().default(DEFAULTS.maxPathLength),
    /** Content of one metadata file read by a cataloger (package.json, METADATA, status...). */
    maxMetadataBytes: z.number().int().positive().default(DEFAULTS.maxMetadataBytes),
    /** Archives read whole into memory by the Java cataloger (jar/war/ear), nested ones included. */
    maxArchiveBytes: z.number().int().positive().default(DEFAULTS.maxArchiveBytes),
    /** Nesting depth of archives inside archives. */
    maxArchiveDepth: z.number().int().nonnegative().default(DEFAULTS.maxArchiveDepth),
    /** Manifests, indexes and image configs. */
    maxManifestBytes: z.number().int().positive().default(DEFAULTS.maxManifestBytes),
  });
}

/**
 * Bounds that keep a hostile or broken image from exhausting memory, disk or time. The defaults
 * fit real images up to tens of GiB; the ratio check only starts after `ratioCheckAfterBytes`
 * so that tiny, highly compressible layers (empty files, text) are not refused. Built on first
 * use (zod is loaded only when limits are actually given).
 */
export const scanLimitsSchema = lazySchema(buildScanLimitsSchema);

export type ScanLimits = z.output<ReturnType<typeof buildScanLimitsSchema>>;
export type ScanLimitsInput = z.input<ReturnType<typeof buildScanLimitsSchema>>;

export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze({ ...DEFAULTS });

export function resolveLimits(input: ScanLimitsInput | undefined): ScanLimits {
  // No limits given: the defaults, which the schema would produce from {} (limits.spec.ts).
  if (input === undefined) return { ...DEFAULT_SCAN_LIMITS };
  const parsed = scanLimitsSchema().safeParse(input);
  if (!parsed.success)
    throw new ScanError('INVALID_ARGUMENT', `invalid scan limits: ${prettifyError(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  return parsed.data;
}

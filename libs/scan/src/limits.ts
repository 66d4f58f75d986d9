import { z } from 'zod';
import { ScanError } from './errors';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Bounds that keep a hostile or broken image from exhausting memory, disk or time. The defaults
 * fit real images up to tens of GiB; the ratio check only starts after `ratioCheckAfterBytes`
 * so that tiny, highly compressible layers (empty files, text) are not refused.
 */
export const scanLimitsSchema = z.strictObject({
  /** Tar entries in the whole image (all layers). */
  maxEntries: z.number().int().positive().default(2_000_000),
  /** Uncompressed bytes of one layer. */
  maxLayerBytes: z
    .number()
    .int()
    .positive()
    .default(32 * GiB),
  /** Uncompressed bytes of all layers together. */
  maxImageBytes: z
    .number()
    .int()
    .positive()
    .default(64 * GiB),
  /** Uncompressed / compressed bytes of one layer. */
  maxCompressionRatio: z.number().positive().default(200),
  ratioCheckAfterBytes: z
    .number()
    .int()
    .nonnegative()
    .default(64 * MiB),
  /** Path length of one entry (bytes of the normalized path). */
  maxPathLength: z.number().int().positive().default(4096),
  /** Content of one metadata file read by a cataloger (package.json, METADATA, status...). */
  maxMetadataBytes: z
    .number()
    .int()
    .positive()
    .default(64 * MiB),
  /** Archives read whole into memory by the Java cataloger (jar/war/ear), nested ones included. */
  maxArchiveBytes: z
    .number()
    .int()
    .positive()
    .default(128 * MiB),
  /** Nesting depth of archives inside archives. */
  maxArchiveDepth: z.number().int().nonnegative().default(4),
  /** Manifests, indexes and image configs. */
  maxManifestBytes: z
    .number()
    .int()
    .positive()
    .default(4 * MiB),
});

export type ScanLimits = z.output<typeof scanLimitsSchema>;
export type ScanLimitsInput = z.input<typeof scanLimitsSchema>;

export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze(scanLimitsSchema.parse({}));

export function resolveLimits(input: ScanLimitsInput | undefined): ScanLimits {
  const parsed = scanLimitsSchema.safeParse(input ?? {});
  if (!parsed.success)
    throw new ScanError('INVALID_ARGUMENT', `invalid scan limits: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  return parsed.data;
}

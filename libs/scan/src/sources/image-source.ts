import type { Readable } from 'node:stream';
import type { Platform } from '@stella/oci';
import type { z } from 'zod';
import {
  arrayOf,
  isCount,
  isString,
  literal,
  matching,
  object,
  optional,
  recordOf,
  type Guard,
} from '../validation/guards';
import { lazySchema } from '../validation/lazy-zod';
import type { ScanLimits } from '../limits';

export interface LayerRef {
  /** Digest the source addresses the layer by (blob digest; the diff id for docker-archive). */
  digest: string;
  /** From the image config's `rootfs.diff_ids`; verified against the uncompressed content. */
  diffId: string;
  size?: number;
  mediaType?: string;
}

export interface OpenedImage {
  /** A human name for the image when the source has one (`registry/repo:tag`, archive tag). */
  name?: string;
  manifestDigest?: string;
  indexDigest?: string;
  configDigest: string;
  config: ImageConfig;
  layers: LayerRef[];
  /**
   * The layer's bytes as stored. `verified` says whether the stream itself fails on a digest
   * mismatch (registry); otherwise the scanner hashes it against `digest`.
   */
  openLayer(layer: LayerRef): Promise<{ stream: Readable; verified: boolean }>;
  close(): Promise<void>;
}

/** Where an image comes from: a registry, an OCI layout, an archive, or anything a service adds. */
export interface ImageSource {
  readonly description: string;
  /** `platform` undefined: the caller did not ask, so an index falls back to linux/amd64 and a single-platform image is taken as is. */
  open(platform: Platform | undefined, limits: ScanLimits): Promise<OpenedImage>;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const SHA256_DIFF_ID = /^sha256:[a-f0-9]{64}$/;
const DIGEST = /^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/;

/** The zod schemas of image documents (the source of truth; built on first use, see lazySchema). */
function buildImageSchemas(z: typeof import('zod').z) {
  const imageConfigSchema = z
    .object({
      created: z.string().optional(),
      architecture: z.string().optional(),
      os: z.string().optional(),
      variant: z.string().optional(),
      rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string().regex(SHA256_DIFF_ID)) }).loose(),
    })
    .loose();
  const descriptorSchema = z
    .object({
      mediaType: z.string().optional(),
      digest: z.string().regex(DIGEST),
      size: z.number().int().nonnegative(),
      platform: z
        .object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
        .loose()
        .optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .loose();
  const manifestOrIndexSchema = z
    .object({
      schemaVersion: z.literal(2),
      mediaType: z.string().optional(),
      config: descriptorSchema.optional(),
      layers: z.array(descriptorSchema).optional(),
      manifests: z.array(descriptorSchema).optional(),
    })
    .loose();
  return { imageConfigSchema, descriptorSchema, manifestOrIndexSchema };
}
export const imageSchemas = lazySchema(buildImageSchemas);
type ImageSchemas = ReturnType<typeof buildImageSchemas>;
export type ImageConfig = z.infer<ImageSchemas['imageConfigSchema']>;
export type SourceDescriptor = z.infer<ImageSchemas['descriptorSchema']>;
export type ManifestOrIndex = z.infer<ImageSchemas['manifestOrIndexSchema']>;

// Plain mirrors of the schemas, so that a valid document needs no zod (see safeParseChecked;
// guards.spec.ts holds them to the schemas).
const optStr = optional(isString);
/** Accepts only what `imageSchemas().imageConfigSchema` accepts (it may refuse more). */
export const isImageConfig: Guard = object(
  {
    created: optStr,
    architecture: optStr,
    os: optStr,
    variant: optStr,
    rootfs: object({ type: isString, diff_ids: arrayOf(matching(SHA256_DIFF_ID)) }, 'loose'),
  },
  'loose',
);
const descriptorGuard = object(
  {
    mediaType: optStr,
    digest: matching(DIGEST),
    size: isCount,
    platform: optional(object({ os: isString, architecture: isString, variant: optStr }, 'loose')),
    annotations: optional(recordOf(isString)),
  },
  'loose',
);
/** Accepts only what `imageSchemas().manifestOrIndexSchema` accepts (it may refuse more). */
export const isManifestOrIndex: Guard = object(
  {
    schemaVersion: literal(2),
    mediaType: optStr,
    config: optional(descriptorGuard),
    layers: optional(arrayOf(descriptorGuard)),
    manifests: optional(arrayOf(descriptorGuard)),
  },
  'loose',
);

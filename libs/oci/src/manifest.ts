import { z } from 'zod';
import { isDigest } from './digest';
import { OciError } from './errors';

const digestSchema = z.string().refine(isDigest, { message: 'invalid digest' });

export const platformSchema = z.looseObject({
  os: z.string().min(1),
  architecture: z.string().min(1),
  variant: z.string().min(1).optional(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
});

export const descriptorSchema = z.looseObject({
  mediaType: z.string().min(1),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  artifactType: z.string().optional(),
  platform: platformSchema.optional(),
});

/** OCI image manifest and Docker v2 schema 2 manifest share this shape. */
export const imageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** OCI image index and Docker manifest list share this shape. */
export const imageIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type Platform = { os: string; architecture: string; variant?: string };
export type Descriptor = z.infer<typeof descriptorSchema>;
export type ImageManifest = z.infer<typeof imageManifestSchema>;
export type ImageIndex = z.infer<typeof imageIndexSchema>;

/** `linux/amd64`, `linux/arm64/v8`; throws INVALID_REFERENCE on anything else. */
export function parsePlatform(value: string): Platform {
  const parts = typeof value === 'string' ? value.split('/') : [];
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9._-]+$/.test(part))) {
    throw new OciError(
      'INVALID_REFERENCE',
      `invalid platform "${String(value)}": expected os/architecture[/variant]`,
      { details: { platform: value } },
    );
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant]
    .filter((part) => part !== undefined)
    .join('/');
}

/** arm64 images usually omit the `v8` variant; containerd treats the two as the same platform. */
function normalizedVariant(platform: Platform): string | undefined {
  if (platform.architecture === 'arm64' && (platform.variant === undefined || platform.variant === 'v8'))
    return 'v8';
  return platform.variant;
}

/** A wanted platform without variant matches any variant; with one it must match. */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || normalizedVariant(candidate) === normalizedVariant(wanted);
}

export function toPlatform(value: z.infer<typeof platformSchema>): Platform {
  return value.variant === undefined
    ? { os: value.os, architecture: value.architecture }
    : { os: value.os, architecture: value.architecture, variant: value.variant };
}

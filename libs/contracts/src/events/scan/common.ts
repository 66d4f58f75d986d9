import { z } from 'zod';

export const scanDigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>');
/** `os/arch[/variant]`, e.g. `linux/amd64`. */
export const scanPlatformSchema = z
  .string()
  .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'expected os/arch[/variant]');
/** A registry image reference pinned by digest: `registry/repository@sha256:…`. */
export const pinnedImageSchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^\s@]+@sha256:[0-9a-f]{64}$/, 'expected <repository>@sha256:<64 hex>');

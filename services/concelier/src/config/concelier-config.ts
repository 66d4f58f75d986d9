import { baseServiceConfigSchema, loadConfig } from '@stella/config';
import { z } from 'zod';

export const CONCELIER_SERVICE_NAME = 'concelier';

const bytes = (max: number) => z.number().int().min(1024).max(max);

/** Concelier's keys on top of every service's (env `STELLA_CONCELIER_*`). */
export const concelierConfigSchema = baseServiceConfigSchema.extend({
  /**
   * Server-side directory that `{"path": …}` imports are confined to (files, directories, zips,
   * mirror bundles). Paths are resolved inside it; `..` and absolute paths are refused.
   */
  concelierImportRoot: z.string().min(1).default('./.stella/advisories'),
  /** Import from URLs (`{"url": …}`). Off by default: an air-gapped install never reaches out. */
  concelierUrlImport: z.boolean().default(false),
  /** URL prefixes allowed when URL import is on (e.g. https://osv-vulnerabilities.storage.googleapis.com/). */
  concelierUrlAllowlist: z.array(z.url({ protocol: /^https$/ })).default([]),
  concelierUrlTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  /** Largest download accepted from a URL. */
  concelierMaxDownloadBytes: bytes(4 * 1024 * 1024 * 1024).default(512 * 1024 * 1024),
  /** Largest single advisory record (KEV and EPSS files have their own limits). */
  concelierMaxRecordBytes: bytes(256 * 1024 * 1024).default(4 * 1024 * 1024),
  /** Total uncompressed size of one zip archive; past it the archive is refused as a bomb. */
  concelierMaxArchiveBytes: bytes(16 * 1024 * 1024 * 1024).default(2 * 1024 * 1024 * 1024),
  /** Advisory indexes (one per feed snapshot) kept warm for /match. */
  concelierIndexCacheSize: z.number().int().min(1).max(16).default(2),
});

export type ConcelierConfig = z.infer<typeof concelierConfigSchema>;

export function loadConcelierConfig(env?: Record<string, string | undefined>): ConcelierConfig {
  return loadConfig({
    service: CONCELIER_SERVICE_NAME,
    schema: concelierConfigSchema,
    ...(env ? { env } : {}),
  });
}

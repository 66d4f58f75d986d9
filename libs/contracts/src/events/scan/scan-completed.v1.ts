// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema, utcTimestampSchema } from '../common';
import { scanDigestSchema, scanPlatformSchema } from './common';

const sbomObjectSchema = z.strictObject({
  /** Object key in the scanner's S3 bucket. */
  key: z.string().min(1).max(1024),
  /** sha256 of the stored SBOM bytes (RFC 8785 canonical JSON). */
  sha256: scanDigestSchema,
  size: z.number().int().min(1),
});

export const scanCompletedV1 = defineEvent({
  type: 'stella.scan.completed',
  version: 1,
  description:
    'The scanner finished an image: its SBOMs (CycloneDX 1.6, SPDX 3.0.1) are stored and its components indexed. Happens once per image digest and platform.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    scanId: z.uuid(),
    /** The digest the scan was requested for (an index or a manifest). */
    imageDigest: scanDigestSchema,
    /** The platform-specific manifest that was scanned (equal to imageDigest for single-platform images). */
    platformDigest: scanDigestSchema,
    platform: scanPlatformSchema,
    /** The image config digest (image id). */
    configDigest: scanDigestSchema,
    sboms: z.strictObject({ cyclonedx: sbomObjectSchema, spdx: sbomObjectSchema }),
    componentCount: z.number().int().min(0),
    scannerVersion: z.string().min(1).max(64),
    analyzerVersion: z.number().int().min(1),
    completedAt: utcTimestampSchema,
  }),
});

export type ScanCompletedV1 = z.infer<typeof scanCompletedV1.schema>;

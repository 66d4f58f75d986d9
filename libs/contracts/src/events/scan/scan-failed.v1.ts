// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema, utcTimestampSchema } from '../common';
import { scanDigestSchema, scanPlatformSchema } from './common';

export const scanFailedV1 = defineEvent({
  type: 'stella.scan.failed',
  version: 1,
  description:
    'The scanner gave up on an image: its content was refused as unsafe (refused: true, never retried) or every attempt failed.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    scanId: z.uuid(),
    imageDigest: scanDigestSchema,
    platform: scanPlatformSchema,
    /** The scan library's error code (UNSAFE_PATH, LINK_ESCAPE, DECOMPRESSION_BOMB, REGISTRY_ERROR, …) or INTERNAL. */
    code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
    message: z.string().min(1).max(2000),
    /** The image content was refused as unsafe. */
    refused: z.boolean(),
    attempts: z.number().int().min(1),
    scannerVersion: z.string().min(1).max(64),
    failedAt: utcTimestampSchema,
  }),
});

export type ScanFailedV1 = z.infer<typeof scanFailedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema } from '../common';
import { pinnedImageSchema, scanDigestSchema, scanPlatformSchema } from './common';

export const scanRequestedV1 = defineEvent({
  type: 'stella.scan.requested',
  version: 1,
  description:
    "A scan job: the scanner's work queue item for an image digest not scanned before (published through the scanner's outbox, consumed by its workers; one per digest and platform).",
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    scanId: z.uuid(),
    /** The image pinned by digest (tags are resolved once, at submission). */
    image: pinnedImageSchema,
    imageDigest: scanDigestSchema,
    platform: scanPlatformSchema,
  }),
});

export type ScanRequestedV1 = z.infer<typeof scanRequestedV1.schema>;

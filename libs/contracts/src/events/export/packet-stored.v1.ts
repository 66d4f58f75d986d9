// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { recordIdSchema, tenantIdSchema } from '../common';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const packetStoredV1 = defineEvent({
  type: 'stella.export.packet.stored',
  version: 1,
  description:
    "A decision's evidence packet (deterministic tar, signed manifest) was built, verified and stored in the evidence store.",
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    decisionId: recordIdSchema,
    packetId: z.string().regex(/^pkt_[0-9a-f]{32}$/),
    environment: z.string().min(1).max(63),
    verdict: z.enum(['allow', 'deny']),
    /** sha256 of the tar: what `stella verify` downloads. */
    sha256: digest,
    size: z.number().int().min(0),
    retentionClass: z.enum(['standard', 'regulated']),
    expiresAt: z.iso.datetime({ offset: false }),
  }),
});

export type PacketStoredV1 = z.infer<typeof packetStoredV1.schema>;

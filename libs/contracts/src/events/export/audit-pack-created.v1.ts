// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema } from '../common';

export const auditPackCreatedV1 = defineEvent({
  type: 'stella.export.audit_pack.created',
  version: 1,
  description: 'An audit pack (every decision packet of an environment in a time range, one signed archive) was built and stored.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    auditPackId: z.string().regex(/^apk_[0-9a-f]{32}$/),
    environment: z.string().min(1).max(63),
    from: z.iso.datetime({ offset: false }),
    to: z.iso.datetime({ offset: false }),
    decisions: z.number().int().min(1),
    sha256: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    createdBy: z.string().min(1).max(256),
  }),
});

export type AuditPackCreatedV1 = z.infer<typeof auditPackCreatedV1.schema>;

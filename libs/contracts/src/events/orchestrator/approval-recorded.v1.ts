// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema, utcTimestampSchema } from '../common';
import { environmentNameSchema, releaseRefSchema } from './common';

export const approvalRecordedV1 = defineEvent({
  type: 'stella.orchestrator.approval.recorded',
  version: 1,
  description: 'An approver approved a promotion (counted by the approvals gate).',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    promotionId: recordIdSchema,
    release: releaseRefSchema,
    environment: environmentNameSchema,
    approver: actorSchema,
    at: utcTimestampSchema,
    comment: z.string().max(4096).optional(),
    /** Distinct approvals counted so far, and how many the environment requires. */
    count: z.int().min(1),
    required: z.int().min(0),
  }),
});

export type ApprovalRecordedV1 = z.infer<typeof approvalRecordedV1.schema>;

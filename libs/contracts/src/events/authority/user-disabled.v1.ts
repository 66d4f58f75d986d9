// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema } from '../common';

export const userDisabledV1 = defineEvent({
  type: 'stella.authority.user.disabled',
  version: 1,
  description: 'A user account was disabled: it can no longer sign in.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    userId: recordIdSchema,
    reason: z.string().min(1).max(500).optional(),
    actor: actorSchema,
  }),
});

export type UserDisabledV1 = z.infer<typeof userDisabledV1.schema>;

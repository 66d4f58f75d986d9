// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, changedFieldsSchema, recordIdSchema, tenantIdSchema } from '../common';

export const userUpdatedV1 = defineEvent({
  type: 'stella.authority.user.updated',
  version: 1,
  description: 'A user account changed; names the fields, not their values.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    userId: recordIdSchema,
    changedFields: changedFieldsSchema,
    actor: actorSchema,
  }),
});

export type UserUpdatedV1 = z.infer<typeof userUpdatedV1.schema>;

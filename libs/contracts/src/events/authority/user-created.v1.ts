// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema } from '../common';

export const userCreatedV1 = defineEvent({
  type: 'stella.authority.user.created',
  version: 1,
  description: 'A user account was created in a tenant.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    userId: recordIdSchema,
    username: z.string().min(1).max(200),
    actor: actorSchema,
  }),
});

export type UserCreatedV1 = z.infer<typeof userCreatedV1.schema>;

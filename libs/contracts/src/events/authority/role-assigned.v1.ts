// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, roleNameSchema, tenantIdSchema } from '../common';

export const roleAssignedV1 = defineEvent({
  type: 'stella.authority.role.assigned',
  version: 1,
  description: 'A role was granted to a user or a client in a tenant.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    principal: z.strictObject({ type: z.enum(['user', 'client']), id: recordIdSchema }),
    role: roleNameSchema,
    actor: actorSchema,
  }),
});

export type RoleAssignedV1 = z.infer<typeof roleAssignedV1.schema>;

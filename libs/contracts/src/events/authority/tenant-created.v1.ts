// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';

export const tenantCreatedV1 = defineEvent({
  type: 'stella.authority.tenant.created',
  version: 1,
  description: 'A tenant was created; it owns clients, users and roles from now on.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    name: z.string().min(1).max(200),
    actor: actorSchema,
  }),
});

export type TenantCreatedV1 = z.infer<typeof tenantCreatedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, scopeSchema, tenantIdSchema } from '../common';

export const clientCreatedV1 = defineEvent({
  type: 'stella.authority.client.created',
  version: 1,
  description: 'An OAuth client was registered in a tenant (its secret is never part of the event).',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    clientId: recordIdSchema,
    name: z.string().min(1).max(200),
    grantTypes: z
      .array(z.enum(['client_credentials', 'authorization_code', 'refresh_token', 'device_code']))
      .min(1),
    scopes: z.array(scopeSchema).max(256),
    actor: actorSchema,
  }),
});

export type ClientCreatedV1 = z.infer<typeof clientCreatedV1.schema>;

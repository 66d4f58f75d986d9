// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, changedFieldsSchema, recordIdSchema, tenantIdSchema } from '../common';

export const clientUpdatedV1 = defineEvent({
  type: 'stella.authority.client.updated',
  version: 1,
  description: 'Settings of an OAuth client changed; names the fields, not their values.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    clientId: recordIdSchema,
    changedFields: changedFieldsSchema,
    actor: actorSchema,
  }),
});

export type ClientUpdatedV1 = z.infer<typeof clientUpdatedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema } from '../common';

export const clientDisabledV1 = defineEvent({
  type: 'stella.authority.client.disabled',
  version: 1,
  description: 'An OAuth client was disabled: it can no longer obtain tokens.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    clientId: recordIdSchema,
    reason: z.string().min(1).max(500).optional(),
    actor: actorSchema,
  }),
});

export type ClientDisabledV1 = z.infer<typeof clientDisabledV1.schema>;

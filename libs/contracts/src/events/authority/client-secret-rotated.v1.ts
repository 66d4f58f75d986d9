// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema, utcTimestampSchema } from '../common';

export const clientSecretRotatedV1 = defineEvent({
  type: 'stella.authority.client.secret_rotated',
  version: 1,
  description: 'A client secret was rotated; identifies the new secret version only, never the secret.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    clientId: recordIdSchema,
    secretVersion: z.int().min(1),
    previousSecretExpiresAt: utcTimestampSchema.optional(),
    actor: actorSchema,
  }),
});

export type ClientSecretRotatedV1 = z.infer<typeof clientSecretRotatedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { recordIdSchema, tenantIdSchema } from '../common';

export const loginFailedV1 = defineEvent({
  type: 'stella.authority.login.failed',
  version: 1,
  description: 'A sign-in or token request was refused; says who tried and why, never the credentials.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    principal: z.strictObject({
      type: z.enum(['user', 'client']),
      id: recordIdSchema.optional(),
      username: z.string().min(1).max(200).optional(),
    }),
    reason: z.enum([
      'invalid_credentials',
      'unknown_principal',
      'principal_disabled',
      'locked_out',
      'invalid_grant',
      'invalid_scope',
    ]),
    remoteAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
  }),
});

export type LoginFailedV1 = z.infer<typeof loginFailedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema } from '../common';

export const signingKeyRotatedV1 = defineEvent({
  type: 'stella.authority.signing_key.rotated',
  version: 1,
  description: 'The token signing key was rotated; verifiers should refresh the JWKS.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    keyId: recordIdSchema,
    previousKeyId: recordIdSchema.optional(),
    algorithm: z.enum(['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256']),
    actor: actorSchema,
  }),
});

export type SigningKeyRotatedV1 = z.infer<typeof signingKeyRotatedV1.schema>;

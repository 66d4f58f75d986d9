// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema } from '../common';

export const signerKeyRotatedV1 = defineEvent({
  type: 'stella.signer.key.rotated',
  version: 1,
  description:
    'A new signing key (with a certificate from the Stella root CA) became active; the previous one stays verifiable within its certificate validity.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    keyId: recordIdSchema,
    previousKeyId: recordIdSchema.optional(),
    algorithm: z.enum(['ed25519', 'ecdsa-p256-sha256']),
    certificateSha256: z.string().regex(/^[0-9a-f]{64}$/),
    actor: actorSchema,
  }),
});

export type SignerKeyRotatedV1 = z.infer<typeof signerKeyRotatedV1.schema>;

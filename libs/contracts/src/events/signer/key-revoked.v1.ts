// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, recordIdSchema, tenantIdSchema, utcTimestampSchema } from '../common';

export const signerKeyRevokedV1 = defineEvent({
  type: 'stella.signer.key.revoked',
  version: 1,
  description:
    'A signing key was revoked: it signs nothing more, and verifiers must distrust its signatures made at or after revokedAt.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    keyId: recordIdSchema,
    revokedAt: utcTimestampSchema,
    reason: z.string().min(1).max(500),
    actor: actorSchema,
  }),
});

export type SignerKeyRevokedV1 = z.infer<typeof signerKeyRevokedV1.schema>;

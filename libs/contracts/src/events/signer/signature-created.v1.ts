// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { recordIdSchema, tenantIdSchema } from '../common';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');

export const signatureCreatedV1 = defineEvent({
  type: 'stella.signer.signature.created',
  version: 1,
  description:
    'The signer produced a DSSE signature (one per signature, also kept in its audit table): who asked, why, with which key, over what.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    /** Audit row id in the signer's database. */
    auditId: z.string().regex(/^[0-9]{1,19}$/),
    keyId: recordIdSchema,
    algorithm: z.enum(['ed25519', 'ecdsa-p256-sha256']),
    clientId: z.string().min(1).max(256),
    subject: z.string().min(1).max(256),
    purpose: z.string().min(1).max(256),
    payloadType: z.string().min(1).max(256),
    payloadSha256: sha256Hex,
    signatureSha256: sha256Hex,
    transport: z.enum(['http', 'nats']),
  }),
});

export type SignatureCreatedV1 = z.infer<typeof signatureCreatedV1.schema>;

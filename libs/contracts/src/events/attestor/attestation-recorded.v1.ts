// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema } from '../common';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const attestationRecordedV1 = defineEvent({
  type: 'stella.attestor.attestation.recorded',
  version: 1,
  description:
    'An attestation (DSSE envelope over an in-toto statement) passed signature verification, was logged and stored.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    attestationId: z.uuid(),
    predicateType: z.string().min(1).max(512),
    subjectDigests: z.array(digest).min(1).max(1024),
    envelopeDigest: digest,
    logIndex: z.number().int().min(0),
  }),
});

export type AttestationRecordedV1 = z.infer<typeof attestationRecordedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { recordIdSchema, tenantIdSchema } from '../common';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const decisionAttestedV1 = defineEvent({
  type: 'stella.attestor.decision.attested',
  version: 1,
  description:
    'A decision record was signed as an in-toto statement (DSSE), appended to the transparency log, and stored with its inclusion proof.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    decisionId: recordIdSchema,
    attestationId: z.uuid(),
    releaseManifestDigest: digest,
    /** sha256 of the stored DSSE envelope (canonical JSON), i.e. of the log entry's data. */
    envelopeDigest: digest,
    keyId: recordIdSchema,
    logIndex: z.number().int().min(0),
    /** Tree size of the signed checkpoint the stored inclusion proof is for. */
    checkpointSize: z.number().int().min(1),
  }),
});

export type DecisionAttestedV1 = z.infer<typeof decisionAttestedV1.schema>;

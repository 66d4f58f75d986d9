// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { recordIdSchema, tenantIdSchema } from '../common';
import { environmentNameSchema, orchestratorDigestSchema } from './common';

export const decisionRecordedV1 = defineEvent({
  type: 'stella.orchestrator.decision.recorded',
  version: 1,
  description:
    'An allow/deny decision on a promotion was recorded. record is the decision-record predicate v1 ' +
    '(docs/schemas/decision-record.predicate.v1.json), ready to be signed as an in-toto statement.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    decisionId: recordIdSchema,
    promotionId: recordIdSchema,
    verdict: z.enum(['allow', 'deny']),
    environment: environmentNameSchema,
    releaseManifestDigest: orchestratorDigestSchema,
    /** sha256 of the record's RFC 8785 canonical JSON. */
    recordDigest: orchestratorDigestSchema,
    record: z.record(z.string(), z.unknown()),
    /**
     * The decision inputs document (libs/gates, https://stella-ops.dev/decision-inputs/v1): every
     * gate's context and evaluator version, complete enough to re-run the gates and rebuild the
     * record byte for byte (`stella replay`). Absent on events from before it existed.
     */
    inputs: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type DecisionRecordedV1 = z.infer<typeof decisionRecordedV1.schema>;

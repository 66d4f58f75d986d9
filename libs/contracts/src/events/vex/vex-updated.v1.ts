// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';

const vexStatusSchema = z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']);

export const vexUpdatedV1 = defineEvent({
  type: 'stella.vex.updated',
  version: 1,
  description:
    "Excititor ingested VEX statements (or an operator changed a VEX issuer's trust) and the consensus of a (vulnerability, product) pair may have changed; consumers re-read it.",
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    vulnerabilityId: z.string().min(1).max(200),
    /** The product the statements are about: a purl or an image digest (sha256:…). */
    productKey: z.string().min(1).max(2000),
    /** Consensus after the ingest; `conflict` when equally trusted issuers disagree. */
    status: z.union([vexStatusSchema, z.literal('conflict'), z.literal('none')]),
    previousStatus: z.union([vexStatusSchema, z.literal('conflict'), z.literal('none')]).nullable(),
    documentId: z.string().min(1).max(200),
    /** sha256 of the VEX document's exact bytes. */
    documentHash: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    actor: actorSchema,
  }),
});

export type VexUpdatedV1 = z.infer<typeof vexUpdatedV1.schema>;

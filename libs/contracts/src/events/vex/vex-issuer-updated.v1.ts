// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';

export const vexIssuerUpdatedV1 = defineEvent({
  type: 'stella.vex.issuer.updated',
  version: 1,
  description:
    "An operator registered, changed or removed a trusted VEX issuer in excititor's runtime registry (audit record). Consensus is computed at query time, so it reflects the change at once; each (vulnerability, product) whose consensus status the trust change moved also gets a stella.vex.updated.",
  schema: z.strictObject({
    /** Tenant of the operator who made the change (the issuer registry itself is installation-wide). */
    tenantId: tenantIdSchema,
    issuerId: z.string().min(1).max(128),
    action: z.enum(['created', 'updated', 'deleted']),
    /** Trust after the change; null when deleted. */
    trust: z.number().int().min(0).max(100).nullable(),
    /** Trust before the change; null when created. */
    previousTrust: z.number().int().min(0).max(100).nullable(),
    requireSignature: z.boolean().nullable(),
    authors: z.array(z.string().min(1).max(500)).max(100),
    /** sha256 of each public key's DER SubjectPublicKeyInfo, in registration order. */
    keyFingerprints: z.array(z.string().regex(/^sha256:[a-f0-9]{64}$/)).max(20),
    actor: actorSchema,
  }),
});

export type VexIssuerUpdatedV1 = z.infer<typeof vexIssuerUpdatedV1.schema>;

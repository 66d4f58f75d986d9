// Shared pieces of the orchestrator's events. Event types and their NATS subjects are append-only:
// never rename one or change its meaning without a migration (a new version or a new type).
import { z } from 'zod';
import { actorSchema, recordIdSchema, tenantIdSchema, utcTimestampSchema } from '../common';

export const orchestratorDigestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex>');
export const environmentNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'invalid environment name');
export const componentNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'invalid component name');
export const releaseNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'invalid release name');

/** A release as events name it: its identity (manifest digest) plus name@version for humans. */
export const releaseRefSchema = z.strictObject({
  id: orchestratorDigestSchema,
  name: releaseNameSchema,
  version: z.string().min(1).max(128),
});

/** Promotion states. Append only: consumers switch on them. */
export const PROMOTION_STATES = [
  'requested',
  'evaluating',
  'awaiting_approval',
  'approved',
  'deploying',
  'deployed',
  'rejected',
  'failed',
  'cancelled',
] as const;
export const promotionStateSchema = z.enum(PROMOTION_STATES);
export type PromotionStateName = (typeof PROMOTION_STATES)[number];

/** `data` of every promotion transition event; `to` is fixed by the event type. */
export function promotionTransitionSchema<S extends PromotionStateName>(to: S) {
  return z.strictObject({
    tenantId: tenantIdSchema,
    promotionId: recordIdSchema,
    kind: z.enum(['promotion', 'rollback']),
    release: releaseRefSchema,
    environment: environmentNameSchema,
    from: promotionStateSchema.nullable(),
    to: z.literal(to),
    /** 1-based position of this transition in the promotion's history (gap-free). */
    seq: z.int().min(1),
    at: utcTimestampSchema,
    actor: actorSchema,
    reason: z.string().min(1).max(2048).optional(),
    decisionId: recordIdSchema.optional(),
  });
}

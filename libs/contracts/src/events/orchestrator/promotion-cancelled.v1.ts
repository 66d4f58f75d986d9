// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionCancelledV1 = defineEvent({
  type: 'stella.orchestrator.promotion.cancelled',
  version: 1,
  description: 'The promotion was cancelled before deployment.',
  schema: promotionTransitionSchema('cancelled'),
});

export type PromotionCancelledV1 = z.infer<typeof promotionCancelledV1.schema>;

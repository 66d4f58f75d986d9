// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionRejectedV1 = defineEvent({
  type: 'stella.orchestrator.promotion.rejected',
  version: 1,
  description: 'The promotion was denied by a gate or an approver (decision verdict deny).',
  schema: promotionTransitionSchema('rejected'),
});

export type PromotionRejectedV1 = z.infer<typeof promotionRejectedV1.schema>;

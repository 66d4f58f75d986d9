// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionApprovedV1 = defineEvent({
  type: 'stella.orchestrator.promotion.approved',
  version: 1,
  description: 'The promotion was allowed (decision verdict allow): the release may be deployed.',
  schema: promotionTransitionSchema('approved'),
});

export type PromotionApprovedV1 = z.infer<typeof promotionApprovedV1.schema>;

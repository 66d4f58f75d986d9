// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionRequestedV1 = defineEvent({
  type: 'stella.orchestrator.promotion.requested',
  version: 1,
  description: 'A promotion of a release into an environment was requested.',
  schema: promotionTransitionSchema('requested'),
});

export type PromotionRequestedV1 = z.infer<typeof promotionRequestedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionDeployedV1 = defineEvent({
  type: 'stella.orchestrator.promotion.deployed',
  version: 1,
  description: 'The release now runs in the environment (the inventory changed).',
  schema: promotionTransitionSchema('deployed'),
});

export type PromotionDeployedV1 = z.infer<typeof promotionDeployedV1.schema>;

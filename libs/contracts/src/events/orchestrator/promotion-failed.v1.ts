// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionFailedV1 = defineEvent({
  type: 'stella.orchestrator.promotion.failed',
  version: 1,
  description: 'The deployment of an approved promotion failed.',
  schema: promotionTransitionSchema('failed'),
});

export type PromotionFailedV1 = z.infer<typeof promotionFailedV1.schema>;

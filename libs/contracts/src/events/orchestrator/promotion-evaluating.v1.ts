// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionEvaluatingV1 = defineEvent({
  type: 'stella.orchestrator.promotion.evaluating',
  version: 1,
  description: 'The promotion gates are being evaluated.',
  schema: promotionTransitionSchema('evaluating'),
});

export type PromotionEvaluatingV1 = z.infer<typeof promotionEvaluatingV1.schema>;

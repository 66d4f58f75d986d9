// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionDeployingV1 = defineEvent({
  type: 'stella.orchestrator.promotion.deploying',
  version: 1,
  description: 'Deployment of the approved release into the environment started (at most one per environment).',
  schema: promotionTransitionSchema('deploying'),
});

export type PromotionDeployingV1 = z.infer<typeof promotionDeployingV1.schema>;

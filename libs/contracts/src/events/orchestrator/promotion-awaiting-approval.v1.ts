// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import type { z } from 'zod';
import { defineEvent } from '../../define-event';
import { promotionTransitionSchema } from './common';

export const promotionAwaitingApprovalV1 = defineEvent({
  type: 'stella.orchestrator.promotion.awaiting_approval',
  version: 1,
  description: 'Gates passed or are pending on approvals: the promotion waits for approvers.',
  schema: promotionTransitionSchema('awaiting_approval'),
});

export type PromotionAwaitingApprovalV1 = z.infer<typeof promotionAwaitingApprovalV1.schema>;

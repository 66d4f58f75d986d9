// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';
import { environmentNameSchema } from './common';

export const promotionPathUpdatedV1 = defineEvent({
  type: 'stella.orchestrator.promotion_path.updated',
  version: 1,
  description: "A tenant's ordered promotion path (or whether it allows skipping) changed.",
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    environments: z.array(environmentNameSchema).min(1).max(64),
    allowSkip: z.boolean(),
    actor: actorSchema,
  }),
});

export type PromotionPathUpdatedV1 = z.infer<typeof promotionPathUpdatedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';
import { componentNameSchema } from './common';

export const componentCreatedV1 = defineEvent({
  type: 'stella.orchestrator.component.created',
  version: 1,
  description: 'A component (a name bound to an image repository) was registered.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    component: componentNameSchema,
    repository: z.string().min(1).max(512),
    autoRelease: z.boolean(),
    actor: actorSchema,
  }),
});

export type ComponentCreatedV1 = z.infer<typeof componentCreatedV1.schema>;

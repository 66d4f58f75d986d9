// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, changedFieldsSchema, tenantIdSchema } from '../common';
import { environmentNameSchema, orchestratorDigestSchema } from './common';

export const environmentUpdatedV1 = defineEvent({
  type: 'stella.orchestrator.environment.updated',
  version: 1,
  description: "An environment's policy (approvals, separation of duties, freeze windows, gates) changed.",
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    environment: environmentNameSchema,
    policyDigest: orchestratorDigestSchema,
    version: z.int().min(1),
    changedFields: changedFieldsSchema,
    actor: actorSchema,
  }),
});

export type EnvironmentUpdatedV1 = z.infer<typeof environmentUpdatedV1.schema>;

// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';
import { environmentNameSchema, orchestratorDigestSchema } from './common';

export const environmentCreatedV1 = defineEvent({
  type: 'stella.orchestrator.environment.created',
  version: 1,
  description: 'An environment was added to a tenant (appended to its promotion path).',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    environment: environmentNameSchema,
    /** Digest of the environment's canonical policy (approvals, freeze windows, gates). */
    policyDigest: orchestratorDigestSchema,
    actor: actorSchema,
  }),
});

export type EnvironmentCreatedV1 = z.infer<typeof environmentCreatedV1.schema>;

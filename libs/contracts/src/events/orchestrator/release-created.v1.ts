// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';
import { componentNameSchema, orchestratorDigestSchema, releaseRefSchema } from './common';

export const releaseCreatedV1 = defineEvent({
  type: 'stella.orchestrator.release.created',
  version: 1,
  description: 'An immutable release (name@version, components pinned by digest) was created.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    release: releaseRefSchema,
    components: z
      .array(
        z.strictObject({
          name: componentNameSchema,
          repository: z.string().min(1).max(512),
          digest: orchestratorDigestSchema,
        }),
      )
      .min(1)
      .max(256),
    /** api: REST or gRPC call; registry-notification: intake of a pushed tag. */
    origin: z.enum(['api', 'registry-notification']),
    actor: actorSchema,
  }),
});

export type ReleaseCreatedV1 = z.infer<typeof releaseCreatedV1.schema>;

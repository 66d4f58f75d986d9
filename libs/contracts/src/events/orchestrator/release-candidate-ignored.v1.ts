// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema } from '../common';
import { orchestratorDigestSchema } from './common';

export const releaseCandidateIgnoredV1 = defineEvent({
  type: 'stella.orchestrator.release_candidate.ignored',
  version: 1,
  description:
    'A registry push matched an auto-release component but could not become a release (tag not semver, ' +
    'version exists, image unresolvable).',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    repository: z.string().min(1).max(512),
    tag: z.string().min(1).max(128),
    digest: orchestratorDigestSchema,
    reason: z.enum(['not_semver', 'version_exists', 'unresolvable']),
    detail: z.string().max(2048).optional(),
  }),
});

export type ReleaseCandidateIgnoredV1 = z.infer<typeof releaseCandidateIgnoredV1.schema>;

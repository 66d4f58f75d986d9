import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { componentName, imageTag, releaseName, repository, semverVersion, sha256Digest } from '../../../common/schemas';

const releaseComponentInput = z
  .strictObject({
    name: componentName,
    /** Binds a new component to this repository; for an existing one it must match. */
    repository: repository.optional(),
    /** Resolved to a digest at creation; only the digest is stored in the release. */
    tag: imageTag.optional(),
    /** Pins the image; with a tag too, the tag must point to this digest. */
    digest: sha256Digest.optional(),
  })
  .refine((c) => c.tag !== undefined || c.digest !== undefined, { error: 'give a tag, a digest, or both', path: ['tag'] });

export const createReleaseBody = z.strictObject({
  name: releaseName,
  version: semverVersion,
  components: z
    .array(releaseComponentInput)
    .min(1)
    .max(64)
    .refine((list) => new Set(list.map((c) => c.name)).size === list.length, { error: 'component names must be distinct' }),
});

export type CreateReleaseCommand = z.infer<typeof createReleaseBody>;

export function createReleaseCommand(input: unknown): CreateReleaseCommand {
  return parseCommand(createReleaseBody, input);
}

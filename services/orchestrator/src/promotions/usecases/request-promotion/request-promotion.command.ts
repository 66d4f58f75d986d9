import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { comment, environmentName, releaseName, semverVersion, sha256Digest } from '../../../common/schemas';

/** A release by id (`sha256:…`) or by name and version. */
export const releaseSelectorSchema = z.union([
  z.strictObject({ id: sha256Digest }),
  z.strictObject({ name: releaseName, version: semverVersion }),
]);

export const breakGlassSchema = z.strictObject({
  /** Why the freeze must be broken; recorded in the decision and the audit log. */
  reason: z.string().trim().min(10, 'give a real reason (at least 10 characters)').max(1024),
});

export const requestPromotionBody = z.strictObject({
  release: releaseSelectorSchema,
  environment: environmentName,
  comment: comment.optional(),
  breakGlass: breakGlassSchema.optional(),
});

export type RequestPromotionCommand = z.infer<typeof requestPromotionBody>;

export function requestPromotionCommand(input: unknown): RequestPromotionCommand {
  return parseCommand(requestPromotionBody, input);
}

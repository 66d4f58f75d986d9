import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { comment, environmentName } from '../../../common/schemas';
import { breakGlassSchema, releaseSelectorSchema } from '../request-promotion/request-promotion.command';

export const rollbackEnvironmentBody = z.strictObject({
  /** The earlier release to go back to; default: the one that ran before the current one. */
  release: releaseSelectorSchema.optional(),
  comment: comment.optional(),
  breakGlass: breakGlassSchema.optional(),
});

export type RollbackEnvironmentCommand = z.infer<typeof rollbackEnvironmentBody> & { environment: string };

export function rollbackEnvironmentCommand(environment: string, input: unknown): RollbackEnvironmentCommand {
  return { ...parseCommand(rollbackEnvironmentBody, input ?? {}), environment: parseCommand(environmentName, environment, 'environment name') };
}

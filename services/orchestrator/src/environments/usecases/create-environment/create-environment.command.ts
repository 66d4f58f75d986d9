import { z } from 'zod';
import { environmentName } from '../../../common/schemas';
import { parseCommand } from '../../../common/command';
import { environmentPolicySchema } from '../../environment.model';

export const createEnvironmentBody = environmentPolicySchema.extend({
  name: environmentName,
  displayName: z.string().min(1).max(200).optional(),
  /** 0-based position in the promotion path; default: appended at the end. */
  position: z.int().min(0).max(63).optional(),
});

export type CreateEnvironmentCommand = z.infer<typeof createEnvironmentBody>;

export function createEnvironmentCommand(input: unknown): CreateEnvironmentCommand {
  return parseCommand(createEnvironmentBody, input);
}

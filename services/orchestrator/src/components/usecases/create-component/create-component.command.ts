import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { componentName, repository } from '../../../common/schemas';

export const createComponentBody = z.strictObject({
  name: componentName,
  repository,
  /** Register a release for every SemVer tag pushed to the repository (registry notifications). */
  autoRelease: z.boolean().default(false),
});

export type CreateComponentCommand = z.infer<typeof createComponentBody>;

export function createComponentCommand(input: unknown): CreateComponentCommand {
  return parseCommand(createComponentBody, input);
}

import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { policyFields } from '../../environment.model';

export const updateEnvironmentBody = z
  .strictObject({
    displayName: z.string().min(1).max(200).optional(),
    approvals: policyFields.approvals.optional(),
    separationOfDuties: policyFields.separationOfDuties.optional(),
    freezeWindows: policyFields.freezeWindows.optional(),
    gates: policyFields.gates.optional(),
    deployment: policyFields.deployment.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { error: 'nothing to change' });

export type UpdateEnvironmentCommand = z.infer<typeof updateEnvironmentBody> & { name: string };

export function updateEnvironmentCommand(name: string, input: unknown): UpdateEnvironmentCommand {
  return { ...parseCommand(updateEnvironmentBody, input), name };
}

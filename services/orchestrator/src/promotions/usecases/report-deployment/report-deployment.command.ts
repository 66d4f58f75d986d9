import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { promotionId } from '../../../common/schemas';

export const reportDeploymentBody = z.strictObject({
  status: z.enum(['deployed', 'failed']),
  reason: z.string().min(1).max(2048).optional(),
});

export type ReportDeploymentCommand = z.infer<typeof reportDeploymentBody> & { promotionId: string };

export function reportDeploymentCommand(id: string, input: unknown): ReportDeploymentCommand {
  return { ...parseCommand(reportDeploymentBody, input), promotionId: parseCommand(promotionId, id, 'promotion id') };
}

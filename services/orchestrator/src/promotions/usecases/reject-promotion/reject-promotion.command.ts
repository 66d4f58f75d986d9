import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { comment, promotionId } from '../../../common/schemas';

export const rejectPromotionBody = z.strictObject({ reason: comment });

export type RejectPromotionCommand = z.infer<typeof rejectPromotionBody> & { promotionId: string };

export function rejectPromotionCommand(id: string, input: unknown): RejectPromotionCommand {
  return { ...parseCommand(rejectPromotionBody, input), promotionId: parseCommand(promotionId, id, 'promotion id') };
}

import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { comment, promotionId } from '../../../common/schemas';

export const approvePromotionBody = z.strictObject({ comment: comment.optional() });

export type ApprovePromotionCommand = z.infer<typeof approvePromotionBody> & { promotionId: string };

export function approvePromotionCommand(id: string, input: unknown): ApprovePromotionCommand {
  return { ...parseCommand(approvePromotionBody, input ?? {}), promotionId: parseCommand(promotionId, id, 'promotion id') };
}

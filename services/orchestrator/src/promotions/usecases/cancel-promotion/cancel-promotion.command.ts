import { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { comment, promotionId } from '../../../common/schemas';

export const cancelPromotionBody = z.strictObject({ reason: comment.optional() });

export type CancelPromotionCommand = z.infer<typeof cancelPromotionBody> & { promotionId: string };

export function cancelPromotionCommand(id: string, input: unknown): CancelPromotionCommand {
  return { ...parseCommand(cancelPromotionBody, input ?? {}), promotionId: parseCommand(promotionId, id, 'promotion id') };
}

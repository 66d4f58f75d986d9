import type { z } from 'zod';
import { parseCommand } from '../../../common/command';
import { promotionPathSchema } from '../../environment.model';

export type SetPromotionPathCommand = z.infer<typeof promotionPathSchema>;

export function setPromotionPathCommand(input: unknown): SetPromotionPathCommand {
  return parseCommand(promotionPathSchema, input);
}

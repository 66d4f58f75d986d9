import { z } from 'zod';
import { TlogError } from './errors';

/** Indices and sizes are plain numbers: safe integers reach 2^53, far past any log this serves. */
export const treeIndexSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export function checkIndex(value: unknown, what: string): number {
  const result = treeIndexSchema.safeParse(value);
  if (!result.success) {
    throw new TlogError('INVALID_ARGUMENT', `${what} must be a non-negative safe integer`, {
      what,
      value: typeof value === 'number' ? value : String(value),
    });
  }
  return result.data;
}

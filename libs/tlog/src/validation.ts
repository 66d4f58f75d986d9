import { TlogError } from './errors';

/**
 * Indices and sizes are plain numbers: safe integers reach 2^53, far past any log this serves.
 * Checked by hand (no schema library) so an offline verifier that loads tlog starts fast.
 */
export function checkIndex(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TlogError('INVALID_ARGUMENT', `${what} must be a non-negative safe integer`, {
      what,
      value: typeof value === 'number' ? value : String(value),
    });
  }
  return value;
}

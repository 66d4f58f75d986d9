import { OrchestratorError } from '../common/errors';

/** `?limit=` as a number; anything else is a 400 naming the parameter. */
export function pageLimit(limit: string | undefined): { limit?: number } {
  if (limit === undefined || limit === '') return {};
  const value = Number(limit);
  if (!Number.isInteger(value) || value < 1) {
    throw new OrchestratorError('VALIDATION_FAILED', 'query parameter limit must be a positive integer', {
      errors: [{ path: 'limit', message: 'must be a positive integer' }],
    });
  }
  return { limit: value };
}

/** `{ key: value }` when the value is defined, `{}` otherwise (exactOptionalPropertyTypes-friendly spreads). */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

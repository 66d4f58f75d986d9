import { OrchestratorError } from '../common/errors';

/** Opaque page cursors: base64url of the sort key of the last item returned. */
export function encodeCursor(value: Record<string, string>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(cursor: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (keys.every((k) => typeof value[k] === 'string')) return value as Record<K, string>;
  } catch {
    // reported below
  }
  throw new OrchestratorError('VALIDATION_FAILED', 'invalid page cursor', { errors: [{ path: 'cursor', message: 'not a cursor from this API' }] });
}

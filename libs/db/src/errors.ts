/** Machine-readable failure reasons of libs/db. */
export type DbErrorCode =
  | 'INVALID_SCHEMA_NAME'
  | 'INVALID_DATA_SOURCE_OPTIONS'
  | 'MIGRATION_FAILED'
  | 'TRANSACTION_RETRIES_EXHAUSTED';

export class DbError extends Error {
  override readonly name = 'DbError';

  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDbError(value: unknown): value is DbError {
  return value instanceof DbError;
}

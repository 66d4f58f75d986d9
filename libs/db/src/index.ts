export { DbError, isDbError, type DbErrorCode } from './errors';
export { SCHEMA_NAME_PATTERN, assertSchemaName, isValidSchemaName, quoteSchema } from './schema-name';
export {
  MIGRATIONS_TABLE,
  createDataSource,
  pingDatabase,
  schemaOf,
  type CreateDataSourceOptions,
} from './data-source';
export { migrateCli, runMigrations, type MigrateCliIo } from './migrations';
export {
  isRetryableTransactionError,
  retryOnSerializationFailure,
  sqlStateOf,
  withTransaction,
  type IsolationLevel,
  type RetryOptions,
  type TransactionOptions,
} from './transaction';

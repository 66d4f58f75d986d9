import {
  DataSource,
  type DataSourceOptions,
  type MixedList,
  type EntitySchema,
  type LoggerOptions,
} from 'typeorm';
import { z } from 'zod';
import { DbError } from './errors';
import { SCHEMA_NAME_PATTERN, assertSchemaName } from './schema-name';

/** Name of the TypeORM migrations table; it lives inside the service's own schema. */
export const MIGRATIONS_TABLE = 'stella_migrations';

// TypeORM accepts classes, schemas or glob strings; their shape is TypeORM's business.
type EntityList = MixedList<string | EntitySchema | (abstract new (...args: never[]) => unknown)>;
type MigrationList = MixedList<string | (new (...args: never[]) => unknown)>;

export interface CreateDataSourceOptions {
  /** `postgres://user@host:port/database` (STELLA_DATABASE_URL). */
  url: string;
  /** The service's own schema; the only one on its search_path (STELLA_DATABASE_SCHEMA). */
  schema: string;
  entities?: EntityList;
  migrations?: MigrationList;
  /** Shown in pg_stat_activity, e.g. `stella-authority`. */
  applicationName: string;
  /** Connections in the pool (STELLA_DATABASE_POOL_SIZE), default 10. */
  poolSize?: number;
  logging?: LoggerOptions;
  /** Server-side statement timeout in ms, default 0 (none). */
  statementTimeoutMs?: number;
}

const optionsSchema = z.object({
  url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL'),
  schema: z.string().regex(SCHEMA_NAME_PATTERN, 'must be a lowercase Postgres identifier'),
  applicationName: z.string().regex(/^[\x20-\x7e]{1,63}$/, 'printable ASCII, at most 63 characters'),
  poolSize: z.int().min(1).max(200).default(10),
  statementTimeoutMs: z.int().min(0).default(0),
});

/**
 * A TypeORM 0.3 Postgres data source bound to one schema: search_path is that schema only (so
 * unqualified SQL cannot touch another service's tables), migrations are tracked inside it, and
 * schema changes happen only through `runMigrations` (never synchronize, never on boot by TypeORM).
 */
export function createDataSource(options: CreateDataSourceOptions): DataSource {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new DbError(
      'INVALID_DATA_SOURCE_OPTIONS',
      `invalid data source options: ${z.prettifyError(parsed.error)}`,
    );
  }
  const { url, applicationName, poolSize, statementTimeoutMs } = parsed.data;
  const schema = assertSchemaName(parsed.data.schema);
  const startupOptions = [`-c search_path=${schema}`];
  if (statementTimeoutMs > 0) startupOptions.push(`-c statement_timeout=${statementTimeoutMs}`);

  const dataSourceOptions: DataSourceOptions = {
    type: 'postgres',
    url,
    schema,
    applicationName,
    poolSize,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    // Extensions are a DBA decision; gen_random_uuid() is built into Postgres 13+.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    logging: options.logging ?? false,
    extra: { options: startupOptions.join(' ') },
  };
  return new DataSource(dataSourceOptions);
}

/** The schema a data source made by `createDataSource` is bound to. */
export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: unknown }).schema;
  if (typeof schema !== 'string') {
    throw new DbError(
      'INVALID_DATA_SOURCE_OPTIONS',
      'data source has no schema: create it with createDataSource',
    );
  }
  return assertSchemaName(schema);
}

/** Readiness probe: one round trip to Postgres. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}

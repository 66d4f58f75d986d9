import { MigrationExecutor, type DataSource } from 'typeorm';
import { createDataSource, schemaOf, type CreateDataSourceOptions } from './data-source';
import { DbError } from './errors';
import { quoteSchema } from './schema-name';

/**
 * Creates the schema when missing and runs pending migrations in one transaction, returning the
 * names of those that ran. A session advisory lock keyed on the schema serializes replicas that
 * start together, so only one creates the schema and applies each migration.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const schema = schemaOf(dataSource);
  const lockKey = `stella.migrate:${schema}`;
  const queryRunner = dataSource.createQueryRunner('master');
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
    try {
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
      // Same connection as the lock, so a pool of one cannot deadlock against itself.
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'all';
      const executed = await executor.executePendingMigrations();
      return executed.map((migration) => migration.name);
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
    }
  } catch (error) {
    if (error instanceof DbError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DbError('MIGRATION_FAILED', `migrations of schema ${schema} failed: ${reason}`, {
      cause: error,
    });
  } finally {
    await queryRunner.release();
  }
}

export interface MigrateCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processIo: MigrateCliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Body of a service's `migrate` entry point: runs pending migrations, prints what ran, and
 * returns the exit code (also set on process.exitCode, so `main().then()` needs nothing more).
 */
export async function migrateCli(
  options: CreateDataSourceOptions,
  io: MigrateCliIo = processIo,
): Promise<number> {
  let dataSource: DataSource | undefined;
  let code = 0;
  try {
    dataSource = createDataSource(options);
    const ran = await runMigrations(dataSource);
    if (ran.length === 0) io.out(`schema ${options.schema}: up to date`);
    for (const name of ran) io.out(`schema ${options.schema}: ran ${name}`);
  } catch (error) {
    code = 1;
    const detail = error instanceof DbError ? `${error.code}: ${error.message}` : String(error);
    io.err(`migrate failed: ${detail}`);
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy();
  }
  process.exitCode = code;
  return code;
}

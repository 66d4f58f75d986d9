import type { EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface PgDriver {
  obtainMasterConnection(): Promise<[PgClient, (error?: unknown) => void]>;
}

/**
 * Prepared-statement names by SQL text: a statement is parsed and planned once per connection,
 * then only bound and executed (the hot paths send the same few texts over and over). Bounded:
 * texts past the limit run unnamed, as before.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 1000;

function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `orch_${statementNames.size}`;
    statementNames.set(sql, name);
  }
  return name;
}

async function run<T>(client: PgClient, sql: string, params: readonly unknown[]): Promise<T[]> {
  const name = statementName(sql);
  const result = await client.query(name === undefined ? { text: sql, values: [...params] } : { name, text: sql, values: [...params] });
  return result.rows as T[];
}

/**
 * Runs one statement and returns its rows, whatever the statement (SELECT, INSERT ... RETURNING,
 * a CTE). Repositories write plain SQL: every hot path is a handful of statements, and the SQL
 * is what reviewers read. Statements go straight to the transaction's pg connection as named
 * (prepared) statements: no TypeORM query wrapping (logging hooks, subscribers' broadcast) on
 * the hot path, no re-parse and re-plan by Postgres. Errors are pg's own (`code`, `constraint`).
 */
export async function query<T>(manager: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    return run<T>((await runner.connect()) as PgClient, sql, params);
  }
  const [client, release] = await (manager.connection.driver as unknown as PgDriver).obtainMasterConnection();
  try {
    const rows = await run<T>(client, sql, params);
    release();
    return rows;
  } catch (error) {
    release();
    throw error;
  }
}

export async function queryOne<T>(manager: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
  const rows = await query<T>(manager, sql, params);
  return rows[0];
}

/** SQLSTATE 23505 on the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23505') return false;
  if (constraint === undefined) return true;
  return (e.driverError?.constraint ?? e.constraint) === constraint;
}

/** `timestamptz` values come back as Date; views and records use RFC 3339 UTC with milliseconds. */
export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

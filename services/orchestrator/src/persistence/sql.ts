import type { EntityManager } from 'typeorm';

/**
 * Runs one statement and returns its rows, whatever the statement (SELECT, INSERT ... RETURNING,
 * a CTE). Repositories write plain SQL: every hot path is a handful of statements, and the SQL
 * is what reviewers read.
 */
export async function query<T>(manager: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const result = await runner.query(sql, [...params], true);
    return result.records as T[];
  }
  const own = manager.connection.createQueryRunner();
  try {
    const result = await own.query(sql, [...params], true);
    return result.records as T[];
  } finally {
    await own.release();
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

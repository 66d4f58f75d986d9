import { Query as PgQuery } from 'pg';
import { retryOnSerializationFailure } from '@stella/db';
import type { EntityManager, QueryRunner } from 'typeorm';

interface PgConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config?: object): void;
  execute(config?: object): void;
  sync(): void;
  parsedStatements: Record<string, string>;
}
interface PgClient {
  query(query: PgQuery): unknown;
  query(config: { text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface PgResult {
  rows: unknown[];
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

/**
 * One statement of the extended protocol, optionally with the transaction's BEGIN in front of it
 * and/or its COMMIT behind it, all before one Sync: written to the socket at once and answered
 * at once, so a transaction of reads + one write costs two round trips instead of four. After an
 * error the server skips the rest up to the Sync (a failed write never commits); the transaction
 * is then aborted or already rolled back, and `Transaction` sends ROLLBACK.
 */
class PipelinedQuery extends PgQuery {
  constructor(
    config: { name?: string; text: string; values: unknown[] },
    private readonly begin: boolean,
    private readonly commit: boolean,
    callback: (error: Error | null, result: PgResult | PgResult[]) => void,
  ) {
    super(config, undefined, callback as never);
  }

  prepare(connection: PgConnection): void {
    if (this.begin) {
      connection.parse({ text: 'BEGIN' });
      connection.bind();
      connection.execute();
    }
    (PgQuery.prototype as unknown as { prepare(c: PgConnection): void }).prepare.call(this, connection);
  }

  // Called by prepare() after the statement's Execute: adds COMMIT, then the Sync.
  _getRows(connection: PgConnection): void {
    connection.execute({ portal: (this as unknown as { portal: string }).portal });
    if (this.commit) {
      connection.parse({ text: 'COMMIT' });
      connection.bind();
      connection.execute();
    }
    connection.sync();
  }

  handleError(error: Error & { code?: string }, connection: PgConnection): void {
    // pg marks a named statement parsed when the batch's first ParseComplete (BEGIN's) arrives;
    // if the statement itself then failed to parse, forget it so the next use parses it again.
    const name = (this as unknown as { name?: string }).name;
    if (this.begin && name && /^(42|26)/.test(error.code ?? '')) delete connection.parsedStatements[name];
    (PgQuery.prototype as unknown as { handleError(e: Error, c: PgConnection): void }).handleError.call(this, error, connection);
  }

  /** The statement's own rows (results come as [BEGIN, statement, COMMIT] when pipelined). */
  static rowsOf(result: PgResult | PgResult[], begin: boolean): unknown[] {
    return Array.isArray(result) ? (result[begin ? 1 : 0]?.rows ?? []) : result.rows;
  }
}

/**
 * A transaction on one pooled connection whose BEGIN rides with its first statement and whose
 * COMMIT rides with its last write (`query(..., { commit: true })`); re-run from the start on
 * serialization failures and deadlocks (the whole unit of work, like withTransaction).
 */
interface TransactionState {
  begun: boolean;
  committed: boolean;
}
const transactions = new WeakMap<QueryRunner, TransactionState>();

export async function inTransaction<T>(manager: EntityManager, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return retryOnSerializationFailure(async () => {
    const runner = manager.connection.createQueryRunner('master');
    const state: TransactionState = { begun: false, committed: false };
    transactions.set(runner, state);
    try {
      const value = await work(runner.manager);
      if (state.begun && !state.committed) await plain(runner, 'COMMIT');
      state.committed = true;
      return value;
    } catch (error) {
      if (state.begun && !state.committed) await plain(runner, 'ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      transactions.delete(runner);
      await runner.release();
    }
  });
}

async function plain(runner: QueryRunner, sql: string): Promise<void> {
  await ((await runner.connect()) as PgClient).query({ text: sql });
}

async function run<T>(client: PgClient, sql: string, params: readonly unknown[], begin: boolean, commit: boolean): Promise<T[]> {
  const name = statementName(sql);
  const config = name === undefined ? { text: sql, values: [...params] } : { name, text: sql, values: [...params] };
  // A submittable query answers through its callback (client.query returns the query itself).
  const result = await new Promise<PgResult | PgResult[]>((resolve, reject) => {
    void client.query(new PipelinedQuery(config, begin, commit, (error, value) => (error ? reject(error) : resolve(value))));
  });
  return PipelinedQuery.rowsOf(result, begin) as T[];
}

/**
 * Runs one statement and returns its rows, whatever the statement (SELECT, INSERT ... RETURNING,
 * a CTE). Repositories write plain SQL: every hot path is a handful of statements, and the SQL
 * is what reviewers read. Statements go straight to the transaction's pg connection as named
 * (prepared) statements: no TypeORM query wrapping (logging hooks, subscribers' broadcast) on
 * the hot path, no re-parse and re-plan by Postgres. Errors are pg's own (`code`, `constraint`).
 * In an `inTransaction` transaction, `commit: true` commits with this statement (its last).
 */
export async function query<T>(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[] = [],
  options: { commit?: boolean } = {},
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as PgClient;
    const state = transactions.get(runner);
    if (!state) return run<T>(client, sql, params, false, false);
    const begin = !state.begun;
    const commit = options.commit === true;
    state.begun = true;
    // On failure the server skipped the COMMIT (or the COMMIT itself failed): inTransaction rolls back.
    const rows = await run<T>(client, sql, params, begin, commit);
    if (commit) state.committed = true;
    return rows;
  }
  const [client, release] = await (manager.connection.driver as unknown as PgDriver).obtainMasterConnection();
  try {
    const rows = await run<T>(client, sql, params, false, false);
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

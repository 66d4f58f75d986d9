import { Query as PgQuery } from 'pg';
import { retryOnSerializationFailure } from '@stella/db';
import type { EntityManager, QueryRunner } from 'typeorm';

interface PgConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config?: object): void;
  describe(config: { type: 'P' | 'S'; name: string }): void;
  execute(config?: object): void;
  close(config: { type: 'P' | 'S'; name: string }): void;
  sync(): void;
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

// pg's own conversion of JavaScript values to the text format (arrays, dates, buffers, JSON).
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };

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

interface Statement {
  name?: string;
  text: string;
  values: unknown[];
}

/**
 * Named statements each connection holds: true = parsed, false = unknown (a batch that parsed it
 * failed somewhere, so the server may or may not have it: it is closed, then parsed again).
 */
const preparedOn = new WeakMap<PgConnection, Map<string, boolean>>();

/**
 * Statements of the extended protocol sent as one batch before one Sync, optionally with the
 * transaction's BEGIN in front and its COMMIT behind: written to the socket at once and answered
 * at once. The server still runs them one after the other (each READ COMMITTED statement takes its
 * snapshot when it starts, so a read behind a lock sees what the lock waited for). After an error
 * the server skips the rest up to the Sync (a failed write never commits); the transaction is
 * then aborted or already rolled back, and `inTransaction` sends ROLLBACK. This class keeps its
 * own prepared-statement bookkeeping (pg's covers one named statement per round trip).
 */
class PipelinedQuery extends PgQuery {
  private readonly parsing: string[] = [];
  private prepared: Map<string, boolean> | undefined;

  constructor(
    private readonly statements: Statement[],
    private readonly begin: boolean,
    private readonly commit: boolean,
    callback: (error: Error | null, result: PgResult | PgResult[]) => void,
  ) {
    // No name for pg: the statements' names are tracked here.
    super({ text: statements[0]!.text, values: statements[0]!.values }, undefined, callback as never);
  }

  requiresPreparation(): boolean {
    return true;
  }

  prepare(connection: PgConnection): void {
    let prepared = preparedOn.get(connection);
    if (!prepared) preparedOn.set(connection, (prepared = new Map()));
    this.prepared = prepared;
    if (this.begin) {
      connection.parse({ text: 'BEGIN' });
      connection.bind();
      connection.execute();
    }
    for (const statement of this.statements) {
      const name = statement.name ?? '';
      const state = name ? prepared.get(name) : undefined;
      if (state !== true) {
        if (state === false) connection.close({ type: 'S', name });
        connection.parse({ text: statement.text, name });
        if (name) this.parsing.push(name);
      }
      connection.bind({ statement: name, values: statement.values, valueMapper: prepareValue });
      connection.describe({ type: 'P', name: '' });
      connection.execute();
    }
    if (this.commit) {
      connection.parse({ text: 'COMMIT' });
      connection.bind();
      connection.execute();
    }
    connection.sync();
  }

  handleReadyForQuery(connection: PgConnection): void {
    for (const name of this.parsing) this.prepared?.set(name, true);
    (PgQuery.prototype as unknown as { handleReadyForQuery(c: PgConnection): void }).handleReadyForQuery.call(this, connection);
  }

  handleError(error: Error, connection: PgConnection): void {
    for (const name of this.parsing) this.prepared?.set(name, false);
    (PgQuery.prototype as unknown as { handleError(e: Error, c: PgConnection): void }).handleError.call(this, error, connection);
  }

  /** Each statement's own rows (results come as [BEGIN, statements…, COMMIT]). */
  rowsOf(result: PgResult | PgResult[]): unknown[][] {
    const results = Array.isArray(result) ? result : [result];
    const first = this.begin ? 1 : 0;
    return this.statements.map((_, i) => results[first + i]?.rows ?? []);
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

async function run(client: PgClient, batch: ReadonlyArray<{ sql: string; params: readonly unknown[] }>, begin: boolean, commit: boolean): Promise<unknown[][]> {
  const statements = batch.map(({ sql, params }) => {
    const name = statementName(sql);
    return name === undefined ? { text: sql, values: [...params] } : { name, text: sql, values: [...params] };
  });
  // A submittable query answers through its callback (client.query returns the query itself).
  let query: PipelinedQuery | undefined;
  const result = await new Promise<PgResult | PgResult[]>((resolve, reject) => {
    query = new PipelinedQuery(statements, begin, commit, (error, value) => (error ? reject(error) : resolve(value)));
    void client.query(query);
  });
  return query!.rowsOf(result);
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
  const [rows] = await queryBatch(manager, [{ sql, params }], options);
  return rows as T[];
}

/**
 * Several statements in one round trip (see `PipelinedQuery`): each one's rows, in order. For
 * statements whose later ones do not depend on the earlier ones' answers in JavaScript, e.g. a row
 * lock and then the read that must see what the lock waited for.
 */
export async function queryBatch(
  manager: EntityManager,
  batch: ReadonlyArray<{ sql: string; params?: readonly unknown[] }>,
  options: { commit?: boolean } = {},
): Promise<unknown[][]> {
  const statements = batch.map(({ sql, params }) => ({ sql, params: params ?? [] }));
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as PgClient;
    const state = transactions.get(runner);
    if (!state) return run(client, statements, false, false);
    const begin = !state.begun;
    const commit = options.commit === true;
    state.begun = true;
    // On failure the server skipped the COMMIT (or the COMMIT itself failed): inTransaction rolls back.
    const rows = await run(client, statements, begin, commit);
    if (commit) state.committed = true;
    return rows;
  }
  const [client, release] = await (manager.connection.driver as unknown as PgDriver).obtainMasterConnection();
  try {
    const rows = await run(client, statements, false, false);
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

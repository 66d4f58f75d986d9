import type { EntityManager } from 'typeorm';
import { query } from './sql';

/**
 * Writes collected during a use case and sent as ONE statement of data-modifying CTEs at commit
 * time (with the outbox, audit and idempotency rows): a transition costs one round trip of
 * writes however many tables it touches. CTEs of one statement share a snapshot, so a batch must
 * never write the same row twice; `flush` sends what is collected when later reads need to see it.
 */
export class SqlBatch {
  private params: unknown[] = [];
  private ctes: string[] = [];
  private readonly errorMappers: Array<(error: unknown) => Error | undefined> = [];

  /** A bind parameter: returns its placeholder (`$n`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds one data-modifying statement (INSERT/UPDATE/DELETE, optionally RETURNING). */
  add(statement: string): void {
    this.ctes.push(statement);
  }

  /** Turns a database error of these writes into a domain error (unique violations and the like). */
  onError(mapper: (error: unknown) => Error | undefined): void {
    this.errorMappers.push(mapper);
  }

  get size(): number {
    return this.ctes.length;
  }

  /** The statement: collected writes as CTEs w0..wn, then `tail` (a SELECT that may reference them). */
  statement(tail: string): { sql: string; params: unknown[] } {
    const withs = this.ctes.map((cte, i) => `w${i} AS (${cte})`);
    return { sql: withs.length > 0 ? `WITH ${withs.join(',\n')}\n${tail}` : tail, params: this.params };
  }

  mapError(error: unknown): unknown {
    for (const mapper of this.errorMappers) {
      const mapped = mapper(error);
      if (mapped) return mapped;
    }
    return error;
  }

  /** Sends the collected writes now (so the next reads of this transaction see them) and starts over. */
  async flush(manager: EntityManager): Promise<void> {
    if (this.ctes.length === 0) return;
    const { sql, params } = this.statement('SELECT 1');
    try {
      await query(manager, sql, params);
    } catch (error) {
      throw this.mapError(error);
    } finally {
      this.params = [];
      this.ctes = [];
    }
  }
}

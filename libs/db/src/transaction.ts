import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { DbError } from './errors';

export type { IsolationLevel };

/** SQLSTATEs after which re-running the whole transaction is correct: serialization failure, deadlock. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export interface RetryOptions {
  /** Total attempts including the first, default 5. */
  maxAttempts?: number;
  /** First back-off in ms, doubled per retry with full jitter, default 10. */
  baseDelayMs?: number;
  /** Cap of one back-off in ms, default 500. */
  maxDelayMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface TransactionOptions extends RetryOptions {
  isolation?: IsolationLevel;
}

/** SQLSTATE of a pg error, whether raw or wrapped in TypeORM's QueryFailedError. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const direct = (error as { code?: unknown }).code;
  if (typeof direct === 'string') return direct;
  const driverError = (error as { driverError?: { code?: unknown } }).driverError;
  return typeof driverError?.code === 'string' ? driverError.code : undefined;
}

export function isRetryableTransactionError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` and re-runs it after serialization failures or deadlocks, a bounded number of
 * times. `attempt` must be a whole transaction with no effects outside the database.
 */
export async function retryOnSerializationFailure<T>(
  attempt: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 500;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryableTransactionError(error)) throw error;
      if (attemptNumber >= maxAttempts) {
        throw new DbError(
          'TRANSACTION_RETRIES_EXHAUSTED',
          `transaction failed with SQLSTATE ${sqlStateOf(error)} ${attemptNumber} times`,
          { cause: error },
        );
      }
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attemptNumber - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
}

/**
 * Runs `work` in one transaction (default isolation READ COMMITTED), retrying it from the start
 * on serialization failures and deadlocks. The manager is the transaction's: pass it to
 * repositories and to `outbox.enqueue` so everything commits or rolls back together.
 */
export function withTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const { isolation } = options;
  return retryOnSerializationFailure(
    () => (isolation ? dataSource.transaction(isolation, work) : dataSource.transaction(work)),
    options,
  );
}

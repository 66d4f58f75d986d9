import { DbError } from './errors';
import { isRetryableTransactionError, retryOnSerializationFailure, sqlStateOf } from './transaction';

function pgError(code: string): Error & { code: string } {
  return Object.assign(new Error(`pg ${code}`), { code });
}

describe('retryOnSerializationFailure', () => {
  const noSleep = { sleep: async () => undefined, random: () => 0.5 };

  it('re-runs the transaction after serialization failures and deadlocks', async () => {
    const failures = [pgError('40001'), pgError('40P01')];
    let calls = 0;
    const result = await retryOnSerializationFailure(async () => {
      calls += 1;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'committed';
    }, noSleep);
    expect(result).toBe('committed');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts with TRANSACTION_RETRIES_EXHAUSTED and the cause', async () => {
    let calls = 0;
    const last = pgError('40001');
    const promise = retryOnSerializationFailure(
      async () => {
        calls += 1;
        throw last;
      },
      { ...noSleep, maxAttempts: 3 },
    );
    await expect(promise).rejects.toMatchObject({ code: 'TRANSACTION_RETRIES_EXHAUSTED', cause: last });
    await expect(promise).rejects.toBeInstanceOf(DbError);
    expect(calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      retryOnSerializationFailure(async () => {
        calls += 1;
        throw pgError('23505');
      }, noSleep),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });

  it('backs off exponentially with jitter, capped', async () => {
    const delays: number[] = [];
    await expect(
      retryOnSerializationFailure(
        async () => {
          throw pgError('40001');
        },
        {
          maxAttempts: 5,
          baseDelayMs: 10,
          maxDelayMs: 50,
          random: () => 0.999,
          sleep: async (ms) => void delays.push(ms),
        },
      ),
    ).rejects.toBeInstanceOf(DbError);
    expect(delays).toEqual([9, 19, 39, 49]);
  });
});

describe('sqlStateOf', () => {
  it('reads raw pg errors and TypeORM-wrapped ones', () => {
    expect(sqlStateOf(pgError('40001'))).toBe('40001');
    expect(sqlStateOf({ driverError: { code: '40P01' } })).toBe('40P01');
    expect(sqlStateOf(new Error('plain'))).toBeUndefined();
    expect(sqlStateOf(null)).toBeUndefined();
    expect(isRetryableTransactionError({ driverError: { code: '40P01' } })).toBe(true);
    expect(isRetryableTransactionError(pgError('57014'))).toBe(false);
  });
});

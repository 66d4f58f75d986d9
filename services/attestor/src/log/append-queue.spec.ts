import type { DataSource, EntityManager } from 'typeorm';
import { AppendQueue } from './append-queue';
import type { AppendedEntry, LogEntryInput, TransparencyLog } from './transparency-log';

/** A log double: records each batch and numbers entries in arrival order. */
function fakeLog() {
  const batches: LogEntryInput[][] = [];
  let size = 0;
  let failNext = false;
  const log = {
    appendInTransaction: async (
      _manager: EntityManager,
      entries: readonly LogEntryInput[],
    ): Promise<AppendedEntry[]> => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      batches.push([...entries]);
      const first = size;
      size += entries.length;
      const checkpoint = { size, rootHash: Buffer.alloc(32), note: `checkpoint ${size}\n` };
      return entries.map((_, i) => ({
        index: first + i,
        leafHash: Buffer.alloc(32),
        checkpoint,
        inclusionProof: [],
      }));
    },
  };
  return { log: log as unknown as TransparencyLog, batches, failOnce: () => (failNext = true) };
}

const manager = {} as EntityManager;
const dataSource = {
  transaction: (work: (m: EntityManager) => Promise<unknown>) => work(manager),
} as unknown as DataSource;
const entry = (text: string): LogEntryInput => ({ data: Buffer.from(text), contentType: 'text/plain' });

describe('AppendQueue', () => {
  test('entries queued together are written as one batch, in order, each told its index', async () => {
    const { log, batches } = fakeLog();
    const queue = new AppendQueue(dataSource, log, 1, 100);
    const results = await Promise.all(['a', 'b', 'c'].map((t) => queue.append(entry(t))));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((e) => e.data.toString())).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.appended.index)).toEqual([0, 1, 2]);
    expect(new Set(results.map((r) => r.appended.checkpoint.size))).toEqual(new Set([3]));
    await queue.close();
  });

  test('a full batch is cut at batchMax and the rest goes to the next batch', async () => {
    const { log, batches } = fakeLog();
    const queue = new AppendQueue(dataSource, log, 1000, 2);
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => queue.append(entry(t))));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(results.map((r) => r.appended.index)).toEqual([0, 1, 2, 3, 4]);
    await queue.close();
  });

  test('after-append hooks run inside the batch transaction and their results reach each caller', async () => {
    const { log } = fakeLog();
    const queue = new AppendQueue(dataSource, log, 1, 10);
    const seen: EntityManager[] = [];
    const result = await queue.append(entry('x'), async (m, appended) => {
      seen.push(m);
      return `stored ${appended.index}`;
    });
    expect(result.result).toBe('stored 0');
    expect(seen).toEqual([manager]);
    await queue.close();
  });

  test('a failed batch rejects all its callers and later batches still run', async () => {
    const { log, failOnce } = fakeLog();
    const queue = new AppendQueue(dataSource, log, 1, 10);
    failOnce();
    const failed = await Promise.allSettled([queue.append(entry('a')), queue.append(entry('b'))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(queue.append(entry('c'))).resolves.toMatchObject({ appended: { index: 0 } });
    await queue.close();
    await expect(queue.append(entry('d'))).rejects.toThrow(/closed/);
  });
});

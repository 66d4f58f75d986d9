import { withTransaction } from '@stella/db';
import type { DataSource, EntityManager } from 'typeorm';
import type { AppendedEntry, LogEntryInput, TransparencyLog } from './transparency-log';

/** Runs inside the batch transaction once the entry is appended (e.g. stores the attestation row). */
export type AfterAppend<T> = (manager: EntityManager, appended: AppendedEntry) => Promise<T>;

interface Pending {
  entry: LogEntryInput;
  after: AfterAppend<unknown> | undefined;
  resolve: (value: { appended: AppendedEntry; result: unknown }) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches appends: entries wait at most `flushMs` (or until `batchMax` are queued) and are written
 * in one transaction with one signed checkpoint. Batches run one at a time (appends are serialized
 * anyway), and the next one fills while the previous commits.
 */
export class AppendQueue {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: TransparencyLog,
    private readonly flushMs: number,
    private readonly batchMax: number,
  ) {}

  append<T = undefined>(
    entry: LogEntryInput,
    after?: AfterAppend<T>,
  ): Promise<{ appended: AppendedEntry; result: T }> {
    if (this.closed) return Promise.reject(new Error('the append queue is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({
        entry,
        after: after as AfterAppend<unknown> | undefined,
        resolve: resolve as Pending['resolve'],
        reject,
      });
      this.schedule();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running || this.pending.length > 0) {
      if (this.running) await this.running;
      else this.startBatch();
    }
  }

  private schedule(): void {
    if (this.running) return; // the running batch schedules the next when it ends
    if (this.pending.length >= this.batchMax) {
      this.startBatch();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.startBatch();
    }, this.flushMs);
  }

  private startBatch(): void {
    if (this.running || this.pending.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.batchMax);
    this.running = this.write(batch).finally(() => {
      this.running = undefined;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await withTransaction(this.dataSource, async (manager) => {
        const appended = await this.log.appendInTransaction(
          manager,
          batch.map((p) => p.entry),
        );
        const results: unknown[] = [];
        for (const [i, p] of batch.entries())
          results.push(p.after ? await p.after(manager, appended[i]!) : undefined);
        return appended.map((entry, i) => ({ appended: entry, result: results[i] }));
      });
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}

import type { Logger } from '@stella/observability';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import type { ExportRepository } from '../packets/export.repository';
import type { ObjectStore } from '../storage/object-store';

/**
 * Deletes packets and audit packs past their retention: the object first, then the row is
 * marked deleted (a crash in between deletes the already-missing object again, harmlessly).
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ExportRepository,
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** One pass; returns how many objects were deleted. */
  async sweep(batch = 500): Promise<number> {
    if (this.running) return this.running;
    this.running = this.pass(batch).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(batch: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const now = this.clock.now();
      const expired = await this.repository.expired(this.dataSource.manager, now, batch);
      if (expired.length === 0) return deleted;
      for (const item of expired) {
        await this.store.remove(item.objectKey);
        await this.repository.markDeleted(this.dataSource.manager, item.kind, item.id, now);
        deleted += 1;
        this.logger.info({ kind: item.kind, id: item.id, key: item.objectKey }, 'retention expired: deleted');
      }
      if (expired.length < batch) return deleted;
    }
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.error({ err: error }, 'retention sweep failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}

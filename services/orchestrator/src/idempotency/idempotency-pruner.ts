import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@stella/observability';
import { Lifecycle, STELLA_CONFIG, STELLA_DATA_SOURCE, STELLA_LOGGER } from '@stella/platform';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { ORCHESTRATOR_CLOCK } from '../common/tokens';
import type { OrchestratorConfig } from '../config/orchestrator-config';

const PRUNE_EVERY_MS = 10 * 60_000;

/** Forgets Idempotency-Keys (and notification ids) older than the retention; any replica may run it. */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap {
  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(ORCHESTRATOR_CLOCK) private readonly clock: Clock,
    private readonly lifecycle: Lifecycle,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    timer.unref();
    this.lifecycle.onShutdown('idempotency-pruner', async () => clearInterval(timer));
  }

  async prune(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.orchestratorIdempotencyRetentionHours * 3_600_000);
    try {
      const keys = (await this.dataSource.query('DELETE FROM idempotency_keys WHERE created_at < $1', [cutoff])) as [unknown, number];
      await this.dataSource.query('DELETE FROM registry_notifications WHERE received_at < $1', [cutoff]);
      return keys[1] ?? 0;
    } catch (error) {
      this.logger.warn({ err: error }, 'idempotency key pruning failed; retried later');
      return 0;
    }
  }
}

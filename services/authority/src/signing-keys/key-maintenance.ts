import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from '@stella/observability';
import { Lifecycle, STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import type { AuthorityConfig } from '../config/authority-config';
import { SigningKeysService } from './signing-keys.service';

/**
 * Every replica periodically retires expired keys and rotates an over-age active key. The work is
 * serialised in Postgres, so replicas running it at the same time do it once.
 */
@Injectable()
export class KeyMaintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly keys: SigningKeysService,
    lifecycle: Lifecycle,
  ) {
    lifecycle.onShutdown('signing-key-maintenance', () => this.stop());
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    }, this.config.authorityKeyMaintenanceIntervalSec * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** One maintenance pass; failures are logged and retried on the next tick. */
  async runOnce(): Promise<void> {
    try {
      await this.keys.retireDue();
      await this.keys.rotateIfDue();
    } catch (error) {
      this.logger.error({ err: error }, 'signing key maintenance failed');
    }
  }

  private async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

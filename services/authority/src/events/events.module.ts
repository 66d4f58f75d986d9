import { Global, Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { connectBus, ensureStreams, OutboxRelay, type Bus } from '@stella/bus';
import type { Logger } from '@stella/observability';
import { Lifecycle, natsCheck, ReadinessRegistry, STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import type { DataSource } from 'typeorm';
import { AUTHORITY_DATA_SOURCE } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityEvents } from './authority-events';
import { AUTHORITY_STREAM } from './authority-stream';

/**
 * Events: written to the outbox in the same transaction as the change, and relayed to JetStream
 * by the OutboxRelay this module runs (every replica may run one; rows are claimed with SKIP LOCKED).
 */
@Global()
@Module({ providers: [AuthorityEvents], exports: [AuthorityEvents] })
export class EventsModule implements OnApplicationBootstrap {
  private bus: Bus | undefined;
  private relay: OutboxRelay | undefined;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly readiness: ReadinessRegistry,
    private readonly lifecycle: Lifecycle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.authorityOutboxRelay) {
      this.logger.info(
        'outbox relay disabled (STELLA_AUTHORITY_OUTBOX_RELAY=false): events wait in the outbox',
      );
      return;
    }
    const bus = await connectBus({
      servers: this.config.natsUrl,
      name: 'stella-authority',
      prefix: this.config.natsPrefix,
      logger: this.logger,
    });
    this.bus = bus;
    await ensureStreams(bus, [AUTHORITY_STREAM]);
    const relay = new OutboxRelay({ bus, dataSource: this.dataSource, logger: this.logger });
    await relay.start();
    this.relay = relay;
    this.readiness.register('nats', natsCheck(bus));
    // Registered after Postgres, so it runs before the data source closes (hooks run in reverse).
    this.lifecycle.onShutdown('outbox-relay', async () => {
      await relay.stop();
      await bus.drain();
    });
  }
}

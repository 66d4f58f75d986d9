import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { BaseServiceConfig } from '@stella/config';
import { schemaOf } from '@stella/db';
import {
  connectBus,
  ensureStreams,
  OutboxRelay,
  OutboxWriter,
  type Bus,
  type StreamDefinition,
} from '@stella/bus';
import type { Logger, ServiceMetrics } from '@stella/observability';
import { natsCheck } from '../health/checks';
import { ReadinessRegistry } from '../health/readiness.registry';
import { Lifecycle } from '../lifecycle/lifecycle.service';
import { STELLA_CONFIG, STELLA_LOGGER, STELLA_METRICS, STELLA_SERVICE_NAME } from '../tokens';
import { STELLA_DATA_SOURCE } from './database.module';

/** Inject the JetStream connection: `@Inject(STELLA_BUS) bus: Bus`. */
export const STELLA_BUS = Symbol.for('stella.bus');
export const STELLA_OUTBOX_RELAY = Symbol.for('stella.outbox-relay');

export interface MessagingModuleOptions {
  /** JetStream streams this service owns; provisioned idempotently at start. */
  streams: readonly StreamDefinition[];
}

/**
 * NATS JetStream for a service that also uses DatabaseModule: the connection, its streams,
 * the transactional outbox writer (inject `OutboxWriter`) and the relay publishing it.
 * Shutdown order (hooks run in reverse): relay stops, then the connection drains.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: STELLA_BUS,
          inject: [STELLA_SERVICE_NAME, STELLA_CONFIG, STELLA_LOGGER, ReadinessRegistry, Lifecycle],
          useFactory: async (
            service: string,
            config: BaseServiceConfig,
            logger: Logger,
            readiness: ReadinessRegistry,
            lifecycle: Lifecycle,
          ): Promise<Bus> => {
            const bus = await connectBus({
              servers: config.natsUrl.split(','),
              name: `stella-${service}`,
              prefix: config.natsPrefix,
              logger: logger.child({ component: 'bus' }),
            });
            await ensureStreams(bus, options.streams);
            readiness.register('nats', natsCheck(bus));
            lifecycle.onShutdown('nats', () => bus.drain());
            return bus;
          },
        },
        {
          provide: OutboxWriter,
          inject: [STELLA_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new OutboxWriter(schemaOf(dataSource)),
        },
        {
          provide: STELLA_OUTBOX_RELAY,
          inject: [STELLA_BUS, STELLA_DATA_SOURCE, STELLA_LOGGER, { token: STELLA_METRICS, optional: true }],
          useFactory: (bus: Bus, dataSource: DataSource, logger: Logger, metrics?: ServiceMetrics) =>
            new OutboxRelay({
              bus,
              dataSource,
              logger: logger.child({ component: 'outbox-relay' }),
              // events_published_total{outcome="ok"|"dead_letter"}
              ...(metrics ? { metrics } : {}),
            }),
        },
        OutboxRelayRunner,
      ],
      exports: [STELLA_BUS, OutboxWriter, STELLA_OUTBOX_RELAY],
    };
  }
}

/** Starts the relay once the app is up and registers its stop before the bus drains. */
@Injectable()
class OutboxRelayRunner implements OnApplicationBootstrap {
  constructor(
    @Inject(STELLA_OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly lifecycle: Lifecycle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
    this.lifecycle.onShutdown('outbox-relay', () => this.relay.stop());
  }
}

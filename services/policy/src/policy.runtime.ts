import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { isBusError, startConsumer, type Bus, type EventHandler, type RunningConsumer, type StreamDefinition } from '@stella/bus';
import type { Logger } from '@stella/observability';
import { Lifecycle, STELLA_BUS, STELLA_CONFIG, STELLA_DATA_SOURCE, STELLA_LOGGER } from '@stella/platform';
import type { DataSource } from 'typeorm';
import {
  ADVISORY_STREAM_REF,
  CONSUMERS,
  ORCHESTRATOR_STREAM_REF,
  SCAN_STREAM_REF,
  VEX_STREAM_REF,
} from './common/streams';
import type { PolicyConfig } from './config/policy-config';
import { IntelEventsHandler } from './reevaluation/intel-events.handler';
import { OrchestratorEventsHandler } from './releases/orchestrator-events.handler';

/** How often a consumer looks again for a stream its owner has not provisioned yet. */
const STREAM_RETRY_MS = 2000;

interface ConsumerSpec {
  stream: StreamDefinition;
  durable: string;
  filterSubject: string;
  handler: EventHandler;
}

/** Starts the durable consumers (each waits for its owner's stream to exist) and stops them on shutdown. */
@Injectable()
export class PolicyRuntime implements OnApplicationBootstrap {
  private readonly consumers: RunningConsumer[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: PolicyConfig,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly lifecycle: Lifecycle,
    private readonly orchestrator: OrchestratorEventsHandler,
    private readonly intel: IntelEventsHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.policyConsumers) return;
    this.lifecycle.onShutdown('policy-consumers', async () => {
      this.stopped = true;
      for (const timer of this.retries) clearTimeout(timer);
      await Promise.all(this.consumers.map((c) => c.stop()));
    });
    const intel: EventHandler = (event, manager) => this.intel.handle(event, manager);
    const specs: ConsumerSpec[] = [
      {
        stream: ORCHESTRATOR_STREAM_REF,
        durable: CONSUMERS.orchestrator,
        filterSubject: 'orchestrator.>',
        handler: (event, manager) => this.orchestrator.handle(event, manager),
      },
      { stream: ADVISORY_STREAM_REF, durable: CONSUMERS.advisory, filterSubject: 'advisory.upserted', handler: intel },
      { stream: ADVISORY_STREAM_REF, durable: CONSUMERS.enrichment, filterSubject: 'advisory.enriched', handler: intel },
      { stream: VEX_STREAM_REF, durable: CONSUMERS.vex, filterSubject: 'vex.updated', handler: intel },
      { stream: SCAN_STREAM_REF, durable: CONSUMERS.scan, filterSubject: 'scan.completed', handler: intel },
    ];
    await Promise.all(specs.map((spec) => this.start(spec)));
  }

  private async start(spec: ConsumerSpec): Promise<void> {
    if (this.stopped) return;
    try {
      this.consumers.push(
        await startConsumer({
          bus: this.bus,
          dataSource: this.dataSource,
          stream: spec.stream,
          durable: spec.durable,
          filterSubject: spec.filterSubject,
          // Re-evaluations call other services inside the transaction: give them time.
          ackWaitMs: 120_000,
          handler: spec.handler,
          logger: this.logger.child({ component: spec.durable }),
        }),
      );
    } catch (error) {
      if (!(isBusError(error) && error.code === 'CONSUMER_SETUP_FAILED' && /stream not found/i.test(error.message)))
        throw error;
      this.logger.warn({ stream: spec.stream.name }, 'stream not available yet; retrying');
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.start(spec).catch((err: unknown) => this.logger.error({ err }, 'consumer start failed'));
      }, STREAM_RETRY_MS);
      timer.unref();
      this.retries.add(timer);
    }
  }
}

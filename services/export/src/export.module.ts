import { Inject, Injectable, Module, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, ServiceTokenClient, type TokenVerifier } from '@stella/auth';
import { isBusError, OutboxWriter, startConsumer, type Bus, type RunningConsumer, type StreamDefinition } from '@stella/bus';
import type { ManifestSigner } from '@stella/evidence';
import type { Logger } from '@stella/observability';
import {
  DatabaseModule,
  Lifecycle,
  MessagingModule,
  ReadinessRegistry,
  STELLA_BUS,
  STELLA_CONFIG,
  STELLA_DATA_SOURCE,
  STELLA_LOGGER,
} from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditPacksController } from './audit-packs/audit-packs.controller';
import { CreateAuditPackUseCase } from './audit-packs/create-audit-pack.usecase';
import { HttpAttestorClient, type AttestorClient } from './clients/attestor-client';
import { HttpPolicyEvidenceClient } from './clients/policy-client';
import { NatsManifestSigner, type TokenProvider } from './clients/signer-client';
import { systemClock, type Clock } from './common/clock';
import { ExportError } from './common/export-error';
import {
  EXPORT_ATTESTOR,
  EXPORT_CLOCK,
  EXPORT_HANDLERS,
  EXPORT_OBJECT_STORE,
  EXPORT_REPOSITORY,
  EXPORT_SERVICE_TOKENS,
  EXPORT_SIGNER,
} from './common/tokens';
import { EXPORT_SERVICE_NAME, schemaOfExport, type ExportConfig } from './config/export-config';
import { ExportEvents } from './events/export-events';
import {
  ATTESTOR_STREAM_REF,
  DECISIONS_CONSUMER,
  EXPORT_STREAM,
  ORCHESTRATOR_STREAM_REF,
  PACKETS_CONSUMER,
  RELEASES_CONSUMER,
} from './events/streams';
import { exportMigrations } from './migrations';
import { BuildPacketHandler } from './packets/build-packet.handler';
import { ExportRepository } from './packets/export.repository';
import { PacketsController } from './packets/packets.controller';
import { RecordOrchestratorFactsHandler } from './packets/record-decision.handler';
import type { RetentionPolicy } from './retention/retention';
import { RetentionSweeper } from './retention/retention-sweeper';
import { S3ObjectStore, type ObjectStore } from './storage/object-store';

export interface ExportModuleOptions {
  /** Token verifier; default: the authority's JWKS at STELLA_AUTHORITY_URL. */
  verifier?: TokenVerifier;
  /** Source of `signer:sign attest:read policy:read` tokens; default: client credentials at the authority. */
  serviceTokens?: TokenProvider;
  /** Replaces the S3 store (e.g. another S3-compatible implementation). */
  objectStore?: ObjectStore;
  clock?: Clock;
}

/** How often the service looks again for a stream it consumes while it does not exist yet. */
const STREAM_RETRY_MS = 2000;
/** Packets wait for the orchestrator's facts (decision, release) with these redelivery delays. */
const PACKET_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

function defaultServiceTokens(config: ExportConfig): TokenProvider | null {
  if (config.exportClientSecret === undefined) return null;
  if (config.authorityUrl === undefined) throw new Error('STELLA_AUTHORITY_URL is required by the export service');
  return new ServiceTokenClient({
    tokenUrl: `${config.authorityUrl.replace(/\/+$/, '')}/oauth/token`,
    clientId: config.exportClientId,
    clientSecret: config.exportClientSecret,
    scopes: ['signer:sign', 'attest:read', 'policy:read'],
    audience: config.tokenAudience,
  });
}

function retentionPolicy(config: ExportConfig): RetentionPolicy {
  return {
    regulatedEnvironments: config.exportRegulatedEnvironments,
    standardDays: config.exportRetentionStandardDays,
    regulatedDays: config.exportRetentionRegulatedDays,
  };
}

function objectStoreOf(config: ExportConfig): ObjectStore {
  if (config.exportS3Endpoint === undefined || config.exportS3AccessKey === undefined || config.exportS3SecretKey === undefined) {
    throw new Error('the export service needs STELLA_EXPORT_S3_ENDPOINT, STELLA_EXPORT_S3_ACCESS_KEY and STELLA_EXPORT_S3_SECRET_KEY');
  }
  return new S3ObjectStore({
    endpoint: config.exportS3Endpoint,
    region: config.exportS3Region,
    accessKey: config.exportS3AccessKey,
    secretKey: config.exportS3SecretKey,
    bucket: config.exportS3Bucket,
    pathStyle: config.exportS3PathStyle,
  });
}

interface Handlers {
  facts: RecordOrchestratorFactsHandler;
  packets: BuildPacketHandler | null;
}

/** Starts the consumers (waiting for the streams), the retention sweeper, and stops them on shutdown. */
@Injectable()
class ExportRuntime implements OnApplicationBootstrap {
  private readonly consumers: RunningConsumer[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ExportConfig,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(EXPORT_HANDLERS) private readonly handlers: Handlers,
    @Inject(EXPORT_OBJECT_STORE) private readonly store: ObjectStore,
    private readonly sweeper: RetentionSweeper,
    private readonly readiness: ReadinessRegistry,
    private readonly lifecycle: Lifecycle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.ensureBucket();
    this.readiness.register('object-store', () => this.store.ping());
    this.sweeper.start(this.config.exportSweepIntervalMs);
    this.lifecycle.onShutdown('retention-sweeper', () => this.sweeper.stop());
    if (!this.config.exportDecisionConsumer) return;
    this.lifecycle.onShutdown('export-consumers', async () => {
      this.stopped = true;
      for (const retry of this.retries) clearTimeout(retry);
      await Promise.all(this.consumers.map((c) => c.stop()));
    });
    const facts = (event: Parameters<RecordOrchestratorFactsHandler['handle']>[0], manager: EntityManager) => this.handlers.facts.handle(event, manager);
    await this.start(ORCHESTRATOR_STREAM_REF, DECISIONS_CONSUMER, 'orchestrator.decision.recorded', facts);
    await this.start(ORCHESTRATOR_STREAM_REF, RELEASES_CONSUMER, 'orchestrator.release.created', facts);
    const packets = this.handlers.packets;
    if (packets === null) {
      // Attested decisions wait in the attestor's stream until credentials are configured.
      this.logger.warn(
        'packet consumer not started: set STELLA_EXPORT_CLIENT_SECRET (client STELLA_EXPORT_CLIENT_ID with signer:sign, attest:read and policy:read) to build evidence packets',
      );
      return;
    }
    await this.start(ATTESTOR_STREAM_REF, PACKETS_CONSUMER, 'attestor.decision.attested', (event, manager) => packets.handle(event, manager), {
      maxDeliver: 30,
      backoffMs: PACKET_BACKOFF_MS,
    });
  }

  private async start(
    stream: StreamDefinition,
    durable: string,
    filterSubject: string,
    handler: (event: Parameters<RecordOrchestratorFactsHandler['handle']>[0], manager: EntityManager) => Promise<void>,
    extra: { maxDeliver?: number; backoffMs?: number[] } = {},
  ): Promise<void> {
    if (this.stopped) return;
    try {
      this.consumers.push(
        await startConsumer({
          bus: this.bus,
          dataSource: this.dataSource,
          stream,
          durable,
          filterSubject,
          handler,
          ...extra,
          logger: this.logger.child({ component: durable }),
        }),
      );
    } catch (error) {
      if (!(isBusError(error) && error.code === 'CONSUMER_SETUP_FAILED' && /stream not found/i.test(error.message))) throw error;
      this.logger.warn({ err: error, stream: stream.name }, 'stream not available yet; retrying');
      const retry = setTimeout(() => {
        this.retries.delete(retry);
        void this.start(stream, durable, filterSubject, handler, extra).catch((e: unknown) => this.logger.error({ err: e }, 'consumer start failed'));
      }, STREAM_RETRY_MS);
      retry.unref();
      this.retries.add(retry);
    }
  }
}

/** The export service's root module; options let tests inject a token verifier, tokens, a store and a clock. */
export function createExportModule(options: ExportModuleOptions = {}): Type<unknown> {
  @Module({
    imports: [
      DatabaseModule.forRoot({ defaultSchema: EXPORT_SERVICE_NAME, entities: [], migrations: exportMigrations }),
      MessagingModule.forRoot({ streams: [EXPORT_STREAM] }),
      AuthModule.forRootAsync({
        inject: [STELLA_CONFIG],
        useFactory: (config: ExportConfig) => options.verifier ?? createAuthorityTokenVerifier('export', config),
      }),
    ],
    controllers: [PacketsController, AuditPacksController],
    providers: [
      { provide: EXPORT_CLOCK, useValue: options.clock ?? systemClock },
      { provide: ExportEvents, inject: [OutboxWriter], useFactory: (outbox: OutboxWriter) => new ExportEvents(outbox) },
      {
        provide: EXPORT_OBJECT_STORE,
        inject: [STELLA_CONFIG],
        useFactory: (config: ExportConfig) => options.objectStore ?? objectStoreOf(config),
      },
      {
        provide: EXPORT_REPOSITORY,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE],
        useFactory: (config: ExportConfig, dataSource: DataSource) => ({ repository: new ExportRepository(schemaOfExport(config)), manager: dataSource.manager }),
      },
      {
        provide: EXPORT_SERVICE_TOKENS,
        inject: [STELLA_CONFIG],
        useFactory: (config: ExportConfig): TokenProvider | null => options.serviceTokens ?? defaultServiceTokens(config),
      },
      {
        provide: EXPORT_SIGNER,
        inject: [STELLA_CONFIG, STELLA_BUS, EXPORT_SERVICE_TOKENS],
        useFactory: (config: ExportConfig, bus: Bus, tokens: TokenProvider | null): ManifestSigner | null =>
          tokens === null ? null : new NatsManifestSigner(bus.nc, config.natsPrefix, tokens, config.exportSignerTimeoutMs),
      },
      {
        provide: EXPORT_ATTESTOR,
        inject: [STELLA_CONFIG, EXPORT_SERVICE_TOKENS],
        useFactory: (config: ExportConfig, tokens: TokenProvider | null): AttestorClient | null =>
          tokens === null ? null : new HttpAttestorClient(config.exportAttestorUrl, config.exportSignerUrl, tokens),
      },
      {
        provide: EXPORT_HANDLERS,
        inject: [STELLA_CONFIG, EXPORT_REPOSITORY, EXPORT_ATTESTOR, EXPORT_SIGNER, EXPORT_OBJECT_STORE, EXPORT_CLOCK, STELLA_LOGGER, ExportEvents, EXPORT_SERVICE_TOKENS],
        useFactory: (
          config: ExportConfig,
          repo: { repository: ExportRepository },
          attestor: AttestorClient | null,
          signer: ManifestSigner | null,
          store: ObjectStore,
          clock: Clock,
          logger: Logger,
          events: ExportEvents,
          tokens: TokenProvider | null,
        ): Handlers => ({
          facts: new RecordOrchestratorFactsHandler(repo.repository, clock),
          packets:
            attestor === null || signer === null || tokens === null
              ? null
              : new BuildPacketHandler(
                  repo.repository,
                  attestor,
                  signer,
                  store,
                  retentionPolicy(config),
                  clock,
                  logger.child({ component: 'packets' }),
                  events,
                  new HttpPolicyEvidenceClient(config.exportPolicyUrl, tokens),
                ),
        }),
      },
      {
        provide: CreateAuditPackUseCase,
        inject: [STELLA_CONFIG, EXPORT_REPOSITORY, EXPORT_OBJECT_STORE, EXPORT_SIGNER, EXPORT_CLOCK, ExportEvents],
        useFactory: (config: ExportConfig, repo: { repository: ExportRepository; manager: EntityManager }, store: ObjectStore, signer: ManifestSigner | null, clock: Clock, events: ExportEvents) =>
          new CreateAuditPackUseCase(repo.repository, repo.manager, store, signer ?? unavailableSigner, retentionPolicy(config), clock, config.exportAuditPackMaxBytes, events),
      },
      {
        provide: RetentionSweeper,
        inject: [STELLA_DATA_SOURCE, EXPORT_REPOSITORY, EXPORT_OBJECT_STORE, EXPORT_CLOCK, STELLA_LOGGER],
        useFactory: (dataSource: DataSource, repo: { repository: ExportRepository }, store: ObjectStore, clock: Clock, logger: Logger) =>
          new RetentionSweeper(dataSource, repo.repository, store, clock, logger.child({ component: 'retention' })),
      },
      ExportRuntime,
    ],
  })
  class ExportModule {}
  return ExportModule;
}

/** Without service credentials nothing can be signed: audit packs are refused with 503. */
const unavailableSigner: ManifestSigner = {
  sign: () => {
    return Promise.reject(new ExportError('SIGNER_UNAVAILABLE', 'the export service has no signing credentials (STELLA_EXPORT_CLIENT_SECRET)'));
  },
};

import { Inject, Injectable, Module, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import {
  AuthModule,
  createAuthorityTokenVerifier,
  ServiceTokenClient,
  type TokenVerifier,
} from '@stella/auth';
import { isBusError, OutboxWriter, startConsumer, type Bus, type RunningConsumer } from '@stella/bus';
import type { Logger } from '@stella/observability';
import {
  DatabaseModule,
  Lifecycle,
  MessagingModule,
  STELLA_BUS,
  STELLA_CONFIG,
  STELLA_DATA_SOURCE,
  STELLA_LOGGER,
} from '@stella/platform';
import { createNoteSigner } from '@stella/tlog';
import type { DataSource } from 'typeorm';
import { AttestationRepository } from './attestations/attestation.repository';
import { AttestationsController } from './attestations/attestations.controller';
import { RecordAttestationUseCase } from './attestations/record-attestation.usecase';
import { TrustStore } from './attestations/trust-store';
import { systemClock, type Clock } from './common/clock';
import {
  ATTESTOR_APPEND_QUEUE,
  ATTESTOR_ATTESTATIONS,
  ATTESTOR_CLOCK,
  ATTESTOR_LOG,
  ATTESTOR_RECORD_ATTESTATION,
  ATTESTOR_SIGNER_CLIENT,
  ATTESTOR_TRUST,
} from './common/tokens';
import { ATTESTOR_SERVICE_NAME, schemaOfAttestor, type AttestorConfig } from './config/attestor-config';
import { AttestDecisionHandler } from './decisions/attest-decision.handler';
import { attestorSignerClient, type SignerClient, type TokenProvider } from './decisions/signer-client';
import { AttestorEvents } from './events/attestor-events';
import { ATTESTOR_STREAM, ORCHESTRATOR_STREAM_REF } from './events/attestor-stream';
import { AppendQueue } from './log/append-queue';
import { LogController } from './log/log.controller';
import { resolveLogKey } from './log/log-key';
import { TransparencyLog } from './log/transparency-log';
import { attestorMigrations } from './migrations';

export interface AttestorModuleOptions {
  /** Token verifier; default: the authority's JWKS at STELLA_AUTHORITY_URL. */
  verifier?: TokenVerifier;
  /** Source of `signer:sign` tokens; default: client credentials at the authority. */
  signerTokens?: TokenProvider;
  /** Replaces the NATS signer client (unit-style tests). */
  signerClient?: SignerClient;
  clock?: Clock;
}

/** Durable consumer name of decision attestation. Never rename: it keys the inbox. */
export const DECISION_CONSUMER = 'attestor-decisions';
/** How often the attestor looks again for the orchestrator's stream while it does not exist yet. */
const STREAM_RETRY_MS = 2000;

function authorityBase(config: AttestorConfig): string {
  if (config.authorityUrl === undefined) throw new Error('STELLA_AUTHORITY_URL is required by the attestor');
  return config.authorityUrl.replace(/\/+$/, '');
}

function defaultSignerTokens(config: AttestorConfig): TokenProvider | null {
  if (config.attestorClientSecret === undefined) return null;
  return new ServiceTokenClient({
    tokenUrl: `${authorityBase(config)}/oauth/token`,
    clientId: config.attestorClientId,
    clientSecret: config.attestorClientSecret,
    scopes: ['signer:sign'],
    audience: config.tokenAudience,
  });
}

/** Starts the decision consumer (waiting for the orchestrator's stream) and stops queue and consumer on shutdown. */
@Injectable()
class AttestorRuntime implements OnApplicationBootstrap {
  private consumer: RunningConsumer | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AttestorConfig,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(ATTESTOR_APPEND_QUEUE) private readonly queue: AppendQueue,
    @Inject(AttestDecisionHandler) private readonly handler: AttestDecisionHandler | null,
    private readonly lifecycle: Lifecycle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.lifecycle.onShutdown('append-queue', () => this.queue.close());
    if (!this.config.attestorDecisionConsumer) return;
    const handler = this.handler;
    if (handler === null) {
      // Decisions stay in the orchestrator's stream (the durable consumer starts from the first
      // message once credentials are configured), so nothing is lost or dead-lettered meanwhile.
      this.logger.warn(
        'decision consumer not started: set STELLA_ATTESTOR_CLIENT_SECRET (client STELLA_ATTESTOR_CLIENT_ID with signer:sign) to attest decisions',
      );
      return;
    }
    this.lifecycle.onShutdown('decision-consumer', async () => {
      this.stopped = true;
      if (this.retry) clearTimeout(this.retry);
      await this.consumer?.stop();
    });
    await this.startConsumer(handler);
  }

  private async startConsumer(handler: AttestDecisionHandler): Promise<void> {
    if (this.stopped) return;
    try {
      this.consumer = await startConsumer({
        bus: this.bus,
        dataSource: this.dataSource,
        stream: ORCHESTRATOR_STREAM_REF,
        durable: DECISION_CONSUMER,
        filterSubject: 'orchestrator.decision.recorded',
        handler: (event, manager) => handler.handle(event, manager),
        logger: this.logger.child({ component: 'decision-consumer' }),
      });
    } catch (error) {
      // The orchestrator owns its stream; until it exists there is nothing to attest.
      if (!(
        isBusError(error) &&
        error.code === 'CONSUMER_SETUP_FAILED' &&
        /stream not found/i.test(error.message)
      ))
        throw error;
      this.logger.warn({ err: error }, 'orchestrator stream not available yet; retrying');
      this.retry = setTimeout(() => void this.startConsumer(handler), STREAM_RETRY_MS);
      this.retry.unref();
    }
  }
}

/** The attestor's root module; options let tests inject a token verifier, signer tokens and a clock. */
export function createAttestorModule(options: AttestorModuleOptions = {}): Type<unknown> {
  @Module({
    imports: [
      DatabaseModule.forRoot({
        defaultSchema: ATTESTOR_SERVICE_NAME,
        entities: [],
        migrations: attestorMigrations,
      }),
      MessagingModule.forRoot({ streams: [ATTESTOR_STREAM] }),
      AuthModule.forRootAsync({
        inject: [STELLA_CONFIG],
        useFactory: (config: AttestorConfig) =>
          options.verifier ?? createAuthorityTokenVerifier('attestor', config),
      }),
    ],
    controllers: [LogController, AttestationsController],
    providers: [
      { provide: ATTESTOR_CLOCK, useValue: options.clock ?? systemClock },
      {
        provide: AttestorEvents,
        inject: [OutboxWriter],
        useFactory: (outbox: OutboxWriter) => new AttestorEvents(outbox),
      },
      {
        provide: ATTESTOR_LOG,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE, ATTESTOR_CLOCK],
        useFactory: async (config: AttestorConfig, dataSource: DataSource, clock: Clock) => {
          const signer = createNoteSigner(
            config.attestorLogOrigin,
            resolveLogKey(config.attestorLogKey, config.attestorDataDir),
          );
          const log = new TransparencyLog(
            dataSource,
            schemaOfAttestor(config),
            config.attestorLogOrigin,
            signer,
            clock,
          );
          await log.bootstrap();
          return log;
        },
      },
      {
        provide: ATTESTOR_APPEND_QUEUE,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE, ATTESTOR_LOG],
        useFactory: (config: AttestorConfig, dataSource: DataSource, log: TransparencyLog) =>
          new AppendQueue(dataSource, log, config.attestorAppendFlushMs, config.attestorAppendBatchMax),
      },
      {
        provide: ATTESTOR_TRUST,
        inject: [STELLA_CONFIG],
        useFactory: (config: AttestorConfig) =>
          new TrustStore({
            ...(config.attestorTrustedKeys ? { trustedKeysPem: config.attestorTrustedKeys } : {}),
            ...(config.attestorSignerCa ? { signerCaPem: config.attestorSignerCa } : {}),
          }),
      },
      {
        provide: ATTESTOR_ATTESTATIONS,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE],
        useFactory: (config: AttestorConfig, dataSource: DataSource) => ({
          repository: new AttestationRepository(schemaOfAttestor(config)),
          manager: dataSource.manager,
        }),
      },
      {
        provide: ATTESTOR_RECORD_ATTESTATION,
        inject: [
          ATTESTOR_LOG,
          ATTESTOR_APPEND_QUEUE,
          ATTESTOR_ATTESTATIONS,
          ATTESTOR_TRUST,
          AttestorEvents,
          ATTESTOR_CLOCK,
        ],
        useFactory: (
          log: TransparencyLog,
          queue: AppendQueue,
          attestations: { repository: AttestationRepository; manager: DataSource['manager'] },
          trust: TrustStore,
          events: AttestorEvents,
          clock: Clock,
        ) =>
          new RecordAttestationUseCase(
            log,
            queue,
            attestations.repository,
            trust,
            events,
            clock,
            attestations.manager,
          ),
      },
      {
        provide: ATTESTOR_SIGNER_CLIENT,
        inject: [STELLA_CONFIG, STELLA_BUS],
        useFactory: (config: AttestorConfig, bus: Bus): SignerClient | null => {
          if (options.signerClient) return options.signerClient;
          const tokens = options.signerTokens ?? defaultSignerTokens(config);
          return tokens === null
            ? null
            : attestorSignerClient(bus.nc, config.natsPrefix, tokens, config.attestorSignerTimeoutMs);
        },
      },
      {
        provide: AttestDecisionHandler,
        inject: [
          ATTESTOR_SIGNER_CLIENT,
          ATTESTOR_RECORD_ATTESTATION,
          ATTESTOR_ATTESTATIONS,
          AttestorEvents,
          ATTESTOR_CLOCK,
        ],
        useFactory: (
          signer: SignerClient | null,
          record: RecordAttestationUseCase,
          attestations: { repository: AttestationRepository },
          events: AttestorEvents,
          clock: Clock,
        ) =>
          signer === null
            ? null
            : new AttestDecisionHandler(signer, record, attestations.repository, events, clock),
      },
      AttestorRuntime,
    ],
  })
  class AttestorModule {}
  return AttestorModule;
}

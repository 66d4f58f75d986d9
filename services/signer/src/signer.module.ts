import { Inject, Injectable, Module, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, TOKEN_VERIFIER, type TokenVerifier } from '@stella/auth';
import { OutboxWriter, type Bus } from '@stella/bus';
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
import type { DataSource } from 'typeorm';
import { SIGNER_CLOCK, systemClock, type Clock } from './common/clock';
import { SIGNER_AUDIT_WRITER, SIGNER_KEY_RING, SIGNER_SIGN_USECASE } from './common/tokens';
import { SIGNER_SERVICE_NAME, type SignerConfig } from './config/signer-config';
import { KeyEncryption, resolveSignerKek } from './crypto/key-encryption';
import { SignerEvents } from './events/signer-events';
import { SIGNER_STREAM } from './events/signer-stream';
import { KeysController } from './http/keys.controller';
import { SignController } from './http/sign.controller';
import { KeyRing } from './keys/key-ring';
import { SignerKeyRepository } from './keys/signer-key.repository';
import { signerMigrations } from './migrations';
import { SignResponder } from './nats/sign-responder';
import { AuditWriter } from './signing/audit-writer';
import { TokenBucketLimiter } from './signing/rate-limiter';
import { SignUseCase } from './signing/sign.usecase';
import { KeylessSigner, keylessSettings } from './sigstore/keyless-signer';

export interface SignerModuleOptions {
  /** Token verifier; default: the authority's JWKS at STELLA_AUTHORITY_URL. Tests pass a local one. */
  verifier?: TokenVerifier;
  clock?: Clock;
}

export function schemaOfSigner(config: SignerConfig): string {
  return config.databaseSchema ?? SIGNER_SERVICE_NAME;
}

/** Starts the NATS responder once the app is up, and stops it (then flushes the audit) on shutdown. */
@Injectable()
class SignerRuntime implements OnApplicationBootstrap {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: SignerConfig,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(SIGNER_SIGN_USECASE) private readonly signUseCase: SignUseCase,
    @Inject(SIGNER_AUDIT_WRITER) private readonly audit: AuditWriter,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly lifecycle: Lifecycle,
  ) {}

  onApplicationBootstrap(): void {
    // Registered after Postgres and NATS, so it runs before them at shutdown (hooks run in reverse).
    this.lifecycle.onShutdown('signer-audit', () => this.audit.close());
    if (!this.config.signerNatsEnabled) return;
    const responder = new SignResponder(
      this.bus.nc,
      this.config.natsPrefix,
      this.verifier,
      this.signUseCase,
      this.config.signerMaxPayloadBytes,
      this.logger.child({ component: 'sign-responder' }),
    );
    responder.start();
    this.lifecycle.onShutdown('sign-responder', () => responder.stop());
  }
}

/** The signer's root module; options let tests inject a token verifier and a clock. */
export function createSignerModule(options: SignerModuleOptions = {}): Type<unknown> {
  @Module({
    imports: [
      DatabaseModule.forRoot({
        defaultSchema: SIGNER_SERVICE_NAME,
        entities: [],
        migrations: signerMigrations,
      }),
      MessagingModule.forRoot({ streams: [SIGNER_STREAM] }),
      AuthModule.forRootAsync({
        inject: [STELLA_CONFIG],
        useFactory: (config: SignerConfig) =>
          options.verifier ?? createAuthorityTokenVerifier('signer', config),
      }),
    ],
    controllers: [SignController, KeysController],
    providers: [
      { provide: SIGNER_CLOCK, useValue: options.clock ?? systemClock },
      {
        provide: SignerEvents,
        inject: [OutboxWriter],
        useFactory: (outbox: OutboxWriter) => new SignerEvents(outbox),
      },
      {
        provide: SIGNER_KEY_RING,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE, SignerEvents, SIGNER_CLOCK],
        useFactory: async (
          config: SignerConfig,
          dataSource: DataSource,
          events: SignerEvents,
          clock: Clock,
        ) => {
          const { kek } = resolveSignerKek(config.signerKek, config.signerDataDir);
          const ring = new KeyRing(
            dataSource,
            new SignerKeyRepository(schemaOfSigner(config)),
            new KeyEncryption(kek),
            events,
            clock,
            {
              profile: config.signerProfile,
              generateAlgorithm: config.signerKeyAlgorithm,
              ...(config.signerKey === undefined ? {} : { importPem: config.signerKey }),
              caCommonName: config.signerCaCommonName,
              caValidityDays: config.signerCaValidityDays,
              certValidityDays: config.signerCertValidityDays,
              platformTenant: config.signerPlatformTenant,
            },
          );
          await ring.bootstrap();
          return ring;
        },
      },
      {
        provide: SIGNER_AUDIT_WRITER,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE, SignerEvents],
        useFactory: (config: SignerConfig, dataSource: DataSource, events: SignerEvents) =>
          new AuditWriter(
            dataSource,
            schemaOfSigner(config),
            events,
            config.signerAuditFlushMs,
            config.signerAuditBatchMax,
          ),
      },
      {
        provide: SIGNER_SIGN_USECASE,
        inject: [STELLA_CONFIG, SIGNER_KEY_RING, SIGNER_AUDIT_WRITER, SIGNER_CLOCK],
        useFactory: (config: SignerConfig, keys: KeyRing, audit: AuditWriter, clock: Clock) => {
          const sigstore = keylessSettings(config);
          return new SignUseCase(
            keys,
            audit,
            new TokenBucketLimiter(config.signerRateLimitPerSec, config.signerRateLimitBurst),
            clock,
            sigstore ? new KeylessSigner(sigstore) : undefined,
          );
        },
      },
      SignerRuntime,
    ],
  })
  class SignerModule {}
  return SignerModule;
}

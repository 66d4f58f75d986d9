import { Module, type Type } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, type TokenVerifier } from '@stella/auth';
import { RegistryClient, registryClientOptionsFromConfig } from '@stella/oci';
import {
  DatabaseModule,
  MessagingModule,
  ReadinessRegistry,
  STELLA_CONFIG,
  STELLA_METRICS,
} from '@stella/platform';
import type { ServiceMetrics } from '@stella/observability';
import {
  randomIds,
  SCANNER_CLOCK,
  SCANNER_ENGINE,
  SCANNER_IDS,
  SCANNER_REGISTRY,
  SCANNER_SBOM_STORE,
  systemClock,
  type Clock,
  type IdGenerator,
} from './common/ports';
import { SCAN_STREAM } from './common/streams';
import { ComponentsController } from './components/components.controller';
import { ComponentsRepository } from './components/components.repository';
import { QueryComponentsUseCase } from './components/query-components.usecase';
import { SCANNER_SERVICE_NAME, scanLimitsOf, type ScannerConfig } from './config/scanner-config';
import { ScannerGrpcServer } from './grpc/grpc-server';
import { scannerMigrations } from './migrations';
import { LibScanEngine, type ScanEngine } from './scans/scan-engine';
import { ScanQueries } from './scans/scan-queries';
import { ScanRuntime } from './scans/scan-runtime';
import { ScansController } from './scans/scans.controller';
import { ScansRepository } from './scans/scans.repository';
import { RunScanUseCase } from './scans/usecases/run-scan/run-scan.usecase';
import { SubmitScanUseCase } from './scans/usecases/submit-scan/submit-scan.usecase';
import { MinioSbomStore, type SbomStore } from './storage/sbom-store';

export interface ScannerModuleOptions {
  /** Token verifier; default: the authority's JWKS at STELLA_AUTHORITY_URL. */
  verifier?: TokenVerifier;
  clock?: Clock;
  ids?: IdGenerator;
  /** Replaces the registry client (its options come from STELLA_REGISTRY_* otherwise). */
  registry?: RegistryClient;
}

/** The scanner's root module; options let tests inject a token verifier, a clock and ids. */
export function createScannerModule(options: ScannerModuleOptions = {}): Type<unknown> {
  @Module({
    imports: [
      DatabaseModule.forRoot({
        defaultSchema: SCANNER_SERVICE_NAME,
        entities: [],
        migrations: scannerMigrations,
      }),
      MessagingModule.forRoot({ streams: [SCAN_STREAM] }),
      AuthModule.forRootAsync({
        inject: [STELLA_CONFIG],
        useFactory: (config: ScannerConfig) =>
          options.verifier ?? createAuthorityTokenVerifier(SCANNER_SERVICE_NAME, config),
      }),
    ],
    controllers: [ScansController, ComponentsController],
    providers: [
      { provide: SCANNER_CLOCK, useValue: options.clock ?? systemClock },
      { provide: SCANNER_IDS, useValue: options.ids ?? randomIds },
      {
        provide: SCANNER_REGISTRY,
        inject: [STELLA_CONFIG],
        useFactory: (config: ScannerConfig) =>
          options.registry ?? new RegistryClient(registryClientOptionsFromConfig(config)),
      },
      {
        provide: SCANNER_SBOM_STORE,
        inject: [STELLA_CONFIG, ReadinessRegistry],
        useFactory: async (config: ScannerConfig, readiness: ReadinessRegistry): Promise<SbomStore> => {
          const store = new MinioSbomStore(config);
          await store.ensureBucket();
          readiness.register('object-store', () => store.check());
          return store;
        },
      },
      {
        provide: SCANNER_ENGINE,
        inject: [STELLA_CONFIG, SCANNER_REGISTRY, STELLA_METRICS],
        useFactory: (config: ScannerConfig, registry: RegistryClient, metrics: ServiceMetrics): ScanEngine =>
          new LibScanEngine({
            registry,
            cacheDir: config.scannerCacheDir,
            layerConcurrency: config.scannerLayerConcurrency,
            limits: scanLimitsOf(config),
            metrics: metrics.registry,
          }),
      },
      ScansRepository,
      ComponentsRepository,
      SubmitScanUseCase,
      RunScanUseCase,
      ScanQueries,
      QueryComponentsUseCase,
      ScanRuntime,
      ScannerGrpcServer,
    ],
  })
  class ScannerRootModule {}
  return ScannerRootModule;
}

import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '@stella/observability';
import { HealthController } from '../health/health.controller';
import { ReadinessRegistry } from '../health/readiness.registry';
import { Lifecycle } from '../lifecycle/lifecycle.service';
import {
  STELLA_BUILD_INFO,
  STELLA_CONFIG,
  STELLA_LOGGER,
  STELLA_METRICS,
  STELLA_SERVICE_NAME,
} from '../tokens';
import type { BuildInfo } from './build-info';

export interface PlatformModuleOptions {
  service: string;
  config: unknown;
  logger: Logger;
  metrics: ServiceMetrics;
  buildInfo: BuildInfo;
}

/** Global providers every service gets: config, logger, metrics, readiness, lifecycle. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: STELLA_SERVICE_NAME, useValue: options.service },
        { provide: STELLA_CONFIG, useValue: options.config },
        { provide: STELLA_LOGGER, useValue: options.logger },
        { provide: STELLA_METRICS, useValue: options.metrics },
        { provide: STELLA_BUILD_INFO, useValue: options.buildInfo },
        ReadinessRegistry,
        Lifecycle,
      ],
      exports: [
        STELLA_SERVICE_NAME,
        STELLA_CONFIG,
        STELLA_LOGGER,
        STELLA_METRICS,
        STELLA_BUILD_INFO,
        ReadinessRegistry,
        Lifecycle,
      ],
    };
  }
}

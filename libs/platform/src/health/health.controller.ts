import { Controller, Get, Header, HttpCode, Inject, Res, SetMetadata } from '@nestjs/common';
import type { Response } from 'express';
import type { ServiceMetrics } from '@stella/observability';
import { Lifecycle } from '../lifecycle/lifecycle.service';
import { STELLA_BUILD_INFO, STELLA_METRICS } from '../tokens';
import type { BuildInfo } from '../app/build-info';
import { ReadinessRegistry, ReadinessReport } from './readiness.registry';

/**
 * Marks routes that never need a token, in the vocabulary of libs/auth's guard
 * (`PUBLIC_ROUTE_METADATA`); spelled out here so the platform does not depend on libs/auth.
 */
export const PUBLIC_ROUTE = SetMetadata('stella:auth:public', true);

/** Liveness, readiness, version and metrics: the same four endpoints on every service. */
@PUBLIC_ROUTE
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly lifecycle: Lifecycle,
    @Inject(STELLA_BUILD_INFO) private readonly buildInfo: BuildInfo,
    @Inject(STELLA_METRICS) private readonly metrics: ServiceMetrics,
  ) {}

  /** The process is alive and its event loop turns; dependencies are not consulted. */
  @Get('health/liveness')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  liveness(): { status: 'alive' } {
    return { status: 'alive' };
  }

  @Get('health/readiness')
  @Header('Cache-Control', 'no-store')
  async readinessReport(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    if (this.lifecycle.draining) {
      res.status(503);
      return { status: 'draining', checks: [] };
    }
    const checks = await this.readiness.evaluate();
    const ready = checks.every((c) => c.status === 'up');
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', checks };
  }

  @Get('version')
  version(): BuildInfo {
    return this.buildInfo;
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}

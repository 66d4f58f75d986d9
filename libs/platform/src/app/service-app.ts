import 'reflect-metadata';
import { INestApplication, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { BaseServiceConfig } from '@stella/config';
import { createLogger, createMetrics, startTelemetry, type ServiceMetrics } from '@stella/observability';
import { bodyParsers } from '../http/body-parsers';
import { requestMetrics } from '../http/request-metrics.middleware';
import { traceContext } from '../http/trace-context.middleware';
import { Lifecycle } from '../lifecycle/lifecycle.service';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { BuildInfo, loadBuildInfo } from './build-info';
import { PinoNestLogger } from './nest-logger';
import { PlatformModule } from './platform.module';

export interface ServiceDefinition<C extends BaseServiceConfig = BaseServiceConfig> {
  /** Service name: logs, metrics, schema and version answer with it. */
  service: string;
  /** The service's root Nest module (its feature modules). */
  module: Type<unknown>;
  config: C;
  buildInfo?: BuildInfo;
  /** Inject a logger (tests capture logs); defaults to pino on stdout at `config.logLevel`. */
  logger?: Logger;
}

export interface ServiceApp {
  app: INestApplication;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Base URL once listening, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  listen(): Promise<string>;
  /** Graceful stop: not-ready, stop taking requests, finish in-flight work, run shutdown hooks, close. */
  close(): Promise<void>;
}

/** Builds a service's Nest application with everything the platform promises every service. */
export async function createServiceApp<C extends BaseServiceConfig>(
  def: ServiceDefinition<C>,
): Promise<ServiceApp> {
  const logger = def.logger ?? createLogger({ service: def.service, level: def.config.logLevel });
  const metrics = createMetrics(def.service);
  const buildInfo = def.buildInfo ?? loadBuildInfo();

  @Module({
    imports: [
      PlatformModule.forRoot({ service: def.service, config: def.config, logger, metrics, buildInfo }),
      def.module,
    ],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestExpressApplication>(ServiceRootModule, new ExpressAdapter(), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.use(traceContext());
  app.use(requestMetrics(metrics, logger));
  app.use(bodyParsers(def.config.bodyLimitBytes));
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  await app.init();

  const lifecycle = app.get(Lifecycle);
  let url = '';
  let closing: Promise<void> | undefined;

  return {
    app,
    logger,
    metrics,
    get url() {
      return url;
    },
    async listen() {
      await app.listen(def.config.httpPort, def.config.httpHost);
      const address = (app.getHttpServer() as Server).address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      return url;
    },
    close() {
      closing ??= (async () => {
        lifecycle.beginDrain();
        await stopHttpServer(app.getHttpServer() as Server);
        const failures = await lifecycle.runShutdownHooks();
        for (const failure of failures)
          logger.error({ err: failure.error, hook: failure.name }, 'shutdown hook failed');
        await app.close();
      })();
      return closing;
    },
  };
}

/** Stops accepting connections, closes idle keep-alive sockets, and waits for in-flight requests. */
async function stopHttpServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Starts a service process: telemetry (when configured), the app, and signal handling.
 * SIGTERM/SIGINT trigger a graceful close bounded by `shutdownTimeoutMs`; past it the
 * process exits non-zero so an orchestrator never waits forever.
 */
export async function runService<C extends BaseServiceConfig>(
  def: ServiceDefinition<C>,
): Promise<ServiceApp> {
  const telemetry = await startTelemetry({
    serviceName: def.service,
    serviceVersion: (def.buildInfo ?? loadBuildInfo()).version,
    otlpEndpoint: def.config.otelExporterOtlpEndpoint,
  });
  const svc = await createServiceApp(def);
  const url = await svc.listen();
  svc.logger.info({ url, version: (def.buildInfo ?? loadBuildInfo()).version }, `${def.service} listening`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    svc.logger.info({ signal }, `${def.service} shutting down`);
    const deadline = setTimeout(() => {
      svc.logger.error({ timeoutMs: def.config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting');
      (svc.app.getHttpServer() as Server).closeAllConnections();
      process.exit(1);
    }, def.config.shutdownTimeoutMs);
    deadline.unref();
    svc
      .close()
      .then(() => telemetry?.shutdown())
      .then(() => {
        svc.logger.info(`${def.service} stopped`);
        process.exit(0);
      })
      .catch((error: unknown) => {
        svc.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return svc;
}

import type { Type } from '@nestjs/common';
import type { BaseServiceConfig } from '@stella/config';
import { createLogger, type Logger } from '@stella/observability';
import { createServiceApp, type ServiceApp } from '@stella/platform';

export interface TestAppOptions<C extends BaseServiceConfig> {
  service: string;
  module: Type<unknown>;
  config: C;
  /** Defaults to a logger at STELLA_TEST_LOG_LEVEL (silent unless set, so test output stays readable). */
  logger?: Logger;
}

/**
 * Boots a service exactly as production does (createServiceApp), listening on a random
 * loopback port. Call `close()` in afterAll: it drains and runs the service's shutdown hooks.
 */
export async function bootTestApp<C extends BaseServiceConfig>(
  options: TestAppOptions<C>,
): Promise<ServiceApp> {
  const svc = await createServiceApp({
    service: options.service,
    module: options.module,
    config: { ...options.config, httpHost: '127.0.0.1', httpPort: 0 },
    logger: options.logger ?? createLogger({ service: options.service, level: testLogLevel() }),
    buildInfo: { version: '0.0.0-test', gitCommit: 'test', buildDate: '1970-01-01T00:00:00.000Z' },
  });
  await svc.listen();
  return svc;
}

function testLogLevel(): 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' {
  const level = process.env.STELLA_TEST_LOG_LEVEL;
  return level === 'fatal' ||
    level === 'error' ||
    level === 'warn' ||
    level === 'info' ||
    level === 'debug' ||
    level === 'trace'
    ? level
    : 'silent';
}

import type { TestNatsPrefix } from './nats';
import type { TestSchema } from './postgres';

/** The base configuration fields every service takes, for a test app on a free port. */
export interface TestServiceConfig {
  httpPort: 0;
  databaseUrl: string;
  databaseSchema: string;
  databasePoolSize: number;
  natsUrl: string;
  natsPrefix: string;
}

/**
 * A service's base configuration in a test: HTTP on a free port, its own schema, its own NATS
 * prefix. Spread it into the service's config schema with the service's own fields.
 */
export function testServiceConfig(
  schema: Pick<TestSchema, 'url' | 'schema'>,
  nats: Pick<TestNatsPrefix, 'servers' | 'prefix'>,
  databasePoolSize = 6,
): TestServiceConfig {
  return {
    httpPort: 0,
    databaseUrl: schema.url,
    databaseSchema: schema.schema,
    databasePoolSize,
    natsUrl: nats.servers,
    natsPrefix: nats.prefix,
  };
}

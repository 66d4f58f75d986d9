import { Global, Module } from '@nestjs/common';
import { systemClock } from '@stella/auth';
import { createDataSource } from '@stella/db';
import { Lifecycle, postgresCheck, ReadinessRegistry, STELLA_CONFIG } from '@stella/platform';
import { AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { authorityEntities } from './entities';
import { authorityMigrations } from '../migrations';

export const DEFAULT_SCHEMA = 'authority';

export function schemaFor(config: AuthorityConfig): string {
  return config.databaseSchema ?? DEFAULT_SCHEMA;
}

/** Postgres (the authority's own schema) and the clock: the ports every feature module shares. */
@Global()
@Module({
  providers: [
    { provide: AUTHORITY_CLOCK, useValue: systemClock },
    {
      provide: AUTHORITY_DATA_SOURCE,
      inject: [STELLA_CONFIG, ReadinessRegistry, Lifecycle],
      useFactory: async (config: AuthorityConfig, readiness: ReadinessRegistry, lifecycle: Lifecycle) => {
        const dataSource = createDataSource({
          url: config.databaseUrl,
          schema: schemaFor(config),
          entities: authorityEntities,
          migrations: authorityMigrations,
          applicationName: 'stella-authority',
          poolSize: config.databasePoolSize,
        });
        await dataSource.initialize();
        readiness.register('postgres', postgresCheck(dataSource));
        lifecycle.onShutdown('postgres', async () => {
          if (dataSource.isInitialized) await dataSource.destroy();
        });
        return dataSource;
      },
    },
  ],
  exports: [AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE],
})
export class PersistenceModule {}

import { DynamicModule, Global, Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { BaseServiceConfig } from '@stella/config';
import { createDataSource, MIGRATIONS_TABLE, quoteSchema, type CreateDataSourceOptions } from '@stella/db';
import { postgresCheck } from '../health/checks';
import { ReadinessRegistry } from '../health/readiness.registry';
import { Lifecycle } from '../lifecycle/lifecycle.service';
import { STELLA_CONFIG } from '../tokens';

/** Inject the service's TypeORM data source: `@Inject(STELLA_DATA_SOURCE) ds: DataSource`. */
export const STELLA_DATA_SOURCE = Symbol.for('stella.data-source');

export interface DatabaseModuleOptions {
  /** Schema used when STELLA_DATABASE_SCHEMA is not set: the service's name. */
  defaultSchema: string;
  entities: NonNullable<CreateDataSourceOptions['entities']>;
  migrations: NonNullable<CreateDataSourceOptions['migrations']>;
}

/**
 * The service's own Postgres schema. The service refuses to start while migrations are
 * pending: schema changes are an explicit step (`npm run migrate`), never a side effect of boot.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: STELLA_DATA_SOURCE,
          inject: [STELLA_CONFIG, ReadinessRegistry, Lifecycle],
          useFactory: async (
            config: BaseServiceConfig,
            readiness: ReadinessRegistry,
            lifecycle: Lifecycle,
          ): Promise<DataSource> => {
            const schema = config.databaseSchema ?? options.defaultSchema;
            const dataSource = createDataSource({
              url: config.databaseUrl,
              schema,
              entities: options.entities,
              migrations: options.migrations,
              applicationName: `stella-${options.defaultSchema}`,
              poolSize: config.databasePoolSize,
            });
            await dataSource.initialize();
            const pending = await pendingMigrations(dataSource, schema);
            if (pending.length > 0) {
              await dataSource.destroy();
              throw new Error(
                `database schema "${schema}" has ${pending.length} pending migration(s) (${pending.join(', ')}): run the service's migrate command (npm run migrate) first`,
              );
            }
            readiness.register('postgres', postgresCheck(dataSource));
            lifecycle.onShutdown('postgres', async () => {
              if (dataSource.isInitialized) await dataSource.destroy();
            });
            return dataSource;
          },
        },
      ],
      exports: [STELLA_DATA_SOURCE],
    };
  }
}

/**
 * Names of migrations not yet applied. Read-only on purpose: TypeORM's showMigrations()
 * creates the migrations table as a side effect, which a booting service must never do.
 */
export async function pendingMigrations(dataSource: DataSource, schema: string): Promise<string[]> {
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  const [{ exists }] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS exists', [
    `${quoteSchema(schema)}.${MIGRATIONS_TABLE}`,
  ])) as [{ exists: boolean }];
  if (!exists) return known;
  const applied = new Set(
    (
      (await dataSource.query(`SELECT name FROM ${quoteSchema(schema)}.${MIGRATIONS_TABLE}`)) as Array<{
        name: string;
      }>
    ).map((r) => r.name),
  );
  return known.filter((name) => !applied.has(name));
}

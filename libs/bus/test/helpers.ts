import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { buildEvent, type AnyCloudEvent } from '@stella/contracts';
import { createDataSource, runMigrations } from '@stella/db';
import { createOutboxTables, dropOutboxTables } from '@stella/bus';

/** A service-like migration: the outbox/inbox tables plus an effects table handlers write to. */
export function outboxMigration(schema: string): new () => MigrationInterface {
  return class CreateOutbox1700000000000 implements MigrationInterface {
    name = 'CreateOutbox1700000000000';
    async up(queryRunner: QueryRunner): Promise<void> {
      await createOutboxTables(queryRunner, schema);
      await queryRunner.query(
        `CREATE TABLE "${schema}".effects (id bigserial PRIMARY KEY, consumer text NOT NULL, event_id text NOT NULL)`,
      );
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE "${schema}".effects`);
      await dropOutboxTables(queryRunner, schema);
    }
  };
}

export async function openServiceDataSource(url: string, schema: string, poolSize = 8): Promise<DataSource> {
  const dataSource = createDataSource({
    url,
    schema,
    applicationName: 'stella-bus-test',
    poolSize,
    migrations: [outboxMigration(schema)],
  });
  await runMigrations(dataSource);
  return dataSource;
}

export function userCreated(index: number, tenant = 'acme'): AnyCloudEvent {
  return buildEvent('stella.authority.user.created', {
    source: '/stella/authority',
    tenant,
    subject: `user-${index}`,
    data: {
      tenantId: tenant,
      userId: `user-${index}`,
      username: `user${index}`,
      actor: { type: 'system', id: 'test' },
    },
  });
}

/** Polls until `check` returns true; the test's own timeout bounds it. */
export async function eventually(check: () => Promise<boolean> | boolean, intervalMs = 25): Promise<void> {
  for (;;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

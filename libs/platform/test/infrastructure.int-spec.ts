import { Inject, Injectable, Module } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import pino from 'pino';
import { baseServiceConfigSchema } from '@stella/config';
import { buildEvent } from '@stella/contracts';
import { createOutboxTables, defineStream, OutboxWriter, type Bus } from '@stella/bus';
import {
  DatabaseModule,
  MessagingModule,
  STELLA_BUS,
  STELLA_DATA_SOURCE,
  createServiceApp,
  runMigrateCommand,
  type ServiceApp,
} from '@stella/platform';
import {
  createTestNatsPrefix,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';

class CreateOutbox1700000000000 implements MigrationInterface {
  name = 'CreateOutbox1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema: string }).schema;
    await queryRunner.query(`CREATE TABLE "${schema}".widget (id text PRIMARY KEY)`);
    await createOutboxTables(queryRunner, schema);
  }
  async down(): Promise<void> {}
}

const streams = [defineStream({ name: 'AUTHORITY', subjects: ['authority.>'], maxAgeDays: 1 })];

@Injectable()
class WidgetService {
  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** State change and its event in one transaction: the outbox contract. */
  create(id: string): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO widget (id) VALUES ($1)', [id]);
      await this.outbox.enqueue(
        manager,
        buildEvent('stella.authority.tenant.created', {
          source: 'urn:stella:test',
          tenant: 'default',
          data: { tenantId: id, name: id, actor: { type: 'system', id: 'test' } },
        }),
      );
    });
  }
}

@Module({
  imports: [
    DatabaseModule.forRoot({
      defaultSchema: 'widgets',
      entities: [],
      migrations: [CreateOutbox1700000000000],
    }),
    MessagingModule.forRoot({ streams }),
  ],
  providers: [WidgetService],
})
class WidgetModule {}

describe('DatabaseModule + MessagingModule', () => {
  let db: TestSchema;
  let nats: TestNatsPrefix;
  let svc: ServiceApp | undefined;

  const config = () =>
    baseServiceConfigSchema.parse({
      httpPort: 0,
      databaseUrl: db.url,
      databaseSchema: db.schema,
      natsUrl: nats.servers,
      natsPrefix: nats.prefix,
    });

  beforeAll(async () => {
    db = await createTestSchema();
    nats = createTestNatsPrefix();
  });
  afterAll(async () => {
    await svc?.close();
    await nats.cleanup();
    await db.drop();
  });

  it('refuses to start while migrations are pending', async () => {
    await expect(
      createServiceApp({
        service: 'widgets',
        module: WidgetModule,
        config: config(),
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toThrow(/pending migration\(s\) \(CreateOutbox1700000000000\)/);
  });

  it('provisions streams, reports postgres and nats ready, and relays outbox events to JetStream', async () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await runMigrateCommand({
        service: 'widgets',
        migrations: [CreateOutbox1700000000000],
        env: { STELLA_DATABASE_URL: db.url, STELLA_DATABASE_SCHEMA: db.schema },
      });
      expect(code).toBe(0);
      expect(out.mock.calls.map(([line]) => String(line))).toContain(
        `schema ${db.schema}: ran CreateOutbox1700000000000\n`,
      );
    } finally {
      out.mockRestore();
    }

    svc = await createServiceApp({
      service: 'widgets',
      module: WidgetModule,
      config: config(),
      logger: pino({ level: 'silent' }),
    });
    const base = await svc.listen();
    const readiness = (await (await fetch(`${base}/health/readiness`)).json()) as {
      status: string;
      checks: Array<{ name: string; status: string }>;
    };
    expect(readiness.status).toBe('ready');
    expect(readiness.checks.map((c) => `${c.name}:${c.status}`)).toEqual(['nats:up', 'postgres:up']);

    await svc.app.get(WidgetService).create('w-1');
    const bus = svc.app.get<Bus>(STELLA_BUS);
    const stream = `${nats.streamPrefix}_AUTHORITY`;
    const deadline = Date.now() + 10_000;
    let messages = 0;
    while (Date.now() < deadline) {
      messages = (await bus.jsm.streams.info(stream)).state.messages;
      if (messages > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(messages).toBe(1);
    const stored = await bus.jsm.streams.getMessage(stream, { seq: 1 });
    expect(stored.subject).toBe(`${nats.prefix}.authority.tenant.created`);
    expect(JSON.parse(new TextDecoder().decode(stored.data))).toMatchObject({
      type: 'stella.authority.tenant.created',
      data: { tenantId: 'w-1' },
    });
  });
});

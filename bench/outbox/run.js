#!/usr/bin/env node
// Outbox -> JetStream -> inbox throughput and exactly-once check on the local Postgres and NATS.
// Uses the built libraries (run `npm run build` first). Writes STELLA_BENCH_EVENTS events
// (default 10000) in transactions of 10 from several concurrent writers while the relay and a
// durable inbox consumer run, then prints events/s from the first write to the last consumed
// event, and the duplicate and lost effects (both must be 0: the exit code is 1 otherwise).
// Everything lives in a fresh schema and NATS prefix that are removed at the end.
const { performance } = require('node:perf_hooks');
const { buildEvent } = require('@stella/contracts');
const { createDataSource, runMigrations, withTransaction } = require('@stella/db');
const {
  OutboxRelay,
  OutboxWriter,
  connectBus,
  createOutboxTables,
  defineStream,
  ensureStreams,
  startConsumer,
} = require('@stella/bus');
const { createTestNatsPrefix, createTestSchema } = require('@stella/testing');

const TOTAL = Number(process.env.STELLA_BENCH_EVENTS || 10_000);
const PER_TRANSACTION = 10;
const WRITERS = Number(process.env.STELLA_BENCH_WRITERS || 4);
const CONSUMER_CONCURRENCY = Number(process.env.STELLA_BENCH_CONSUMER_CONCURRENCY || 8);
const DEADLINE_MS = Number(process.env.STELLA_BENCH_DEADLINE_MS || 300_000);

const stream = defineStream({ name: 'AUTHORITY', subjects: ['authority.>'], maxAgeDays: 1 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function benchMigration(schema) {
  return class BenchTables1700000000000 {
    name = 'BenchTables1700000000000';
    async up(queryRunner) {
      await createOutboxTables(queryRunner, schema);
      await queryRunner.query(
        `CREATE TABLE "${schema}".effects (id bigserial PRIMARY KEY, event_id text NOT NULL)`,
      );
    }
    async down() {}
  };
}

function event(index) {
  return buildEvent('stella.authority.user.created', {
    source: '/stella/bench',
    tenant: 'bench',
    data: {
      tenantId: 'bench',
      userId: `user-${index}`,
      username: `user${index}`,
      actor: { type: 'system', id: 'bench' },
    },
  });
}

async function main() {
  const testSchema = await createTestSchema('bench');
  const prefix = createTestNatsPrefix();
  const dataSource = createDataSource({
    url: testSchema.url,
    schema: testSchema.schema,
    applicationName: 'stella-bench-outbox',
    poolSize: WRITERS + CONSUMER_CONCURRENCY + 4,
    migrations: [benchMigration(testSchema.schema)],
  });
  const bus = await connectBus({
    servers: prefix.servers,
    name: 'stella-bench-outbox',
    prefix: prefix.prefix,
  });
  let relay;
  let consumer;
  try {
    await runMigrations(dataSource);
    await ensureStreams(bus, [stream]);
    const writer = new OutboxWriter(testSchema.schema);
    relay = new OutboxRelay({ bus, dataSource });
    await relay.start();
    consumer = await startConsumer({
      bus,
      dataSource,
      stream,
      durable: 'bench-counter',
      concurrency: CONSUMER_CONCURRENCY,
      handler: async (evt, manager) => {
        await manager.query('INSERT INTO effects (event_id) VALUES ($1)', [evt.id]);
      },
    });

    // Events are built before the clock starts: the bench measures the pipeline, not zod.
    const events = Array.from({ length: TOTAL }, (_, index) => event(index));
    const batches = [];
    for (let i = 0; i < TOTAL; i += PER_TRANSACTION) batches.push(events.slice(i, i + PER_TRANSACTION));

    const started = performance.now();
    let next = 0;
    const writerLoops = Array.from({ length: WRITERS }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        await withTransaction(dataSource, (manager) => writer.enqueueMany(manager, batch));
      }
    });
    await Promise.all(writerLoops);
    const written = performance.now();

    const deadline = started + DEADLINE_MS;
    while (consumer.stats.processed + consumer.stats.duplicates < TOTAL && performance.now() < deadline)
      await sleep(10);
    const consumed = performance.now();

    // Let any straggling redelivery land before counting effects.
    await sleep(500);
    const [counts] = await dataSource.query(
      'SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM effects',
    );
    const duplicates = counts.total - counts.distinct;
    const lost = TOTAL - counts.distinct;
    const seconds = (consumed - started) / 1000;
    const result = {
      events: TOTAL,
      writers: WRITERS,
      eventsPerTransaction: PER_TRANSACTION,
      consumerConcurrency: CONSUMER_CONCURRENCY,
      writeSeconds: Number(((written - started) / 1000).toFixed(3)),
      endToEndSeconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(TOTAL / seconds),
      duplicates,
      lost,
      inboxDuplicatesSkipped: consumer.stats.duplicates,
    };
    process.stdout.write(
      `outbox bench: ${TOTAL} events, ${WRITERS} writers x ${PER_TRANSACTION}/tx, consumer concurrency ${CONSUMER_CONCURRENCY}\n` +
        `  written in ${result.writeSeconds}s; last consumed after ${result.endToEndSeconds}s -> ${result.eventsPerSecond} events/s\n` +
        `  duplicates: ${duplicates}, lost: ${lost}\n${JSON.stringify(result)}\n`,
    );
    if (duplicates !== 0 || lost !== 0) process.exitCode = 1;
  } finally {
    if (consumer) await consumer.stop({ deadlineMs: 2000 });
    if (relay) await relay.stop();
    await prefix.cleanup(bus).catch(() => undefined);
    await bus.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    await testSchema.drop();
  }
}

main().catch((error) => {
  process.stderr.write(`outbox bench failed: ${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});

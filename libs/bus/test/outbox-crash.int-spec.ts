import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import {
  connectBus,
  defineStream,
  ensureStreams,
  startConsumer,
  streamName,
  type Bus,
  type RunningConsumer,
} from '@stella/bus';
import {
  createTestNatsPrefix,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';
import { eventually, openServiceDataSource } from './helpers';

const authorityStream = defineStream({ name: 'AUTHORITY', subjects: ['authority.>'], maxAgeDays: 1 });
const fixtures = path.join(__dirname, 'fixtures');

// Child processes compile the libraries on start (and jest ignores the per-project testTimeout).
jest.setTimeout(120_000);

interface Producer {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Crash-safety of outbox -> JetStream -> inbox across a real process death: a child process
 * writes events through the outbox and relays them, is SIGKILLed mid-relay, is restarted, and a
 * durable inbox consumer must have applied every event exactly once.
 */
describe('outbox relay crash safety', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;
  let prefix: TestNatsPrefix;
  let bus: Bus;
  const consumers: RunningConsumer[] = [];
  const buses: Array<{ prefix: TestNatsPrefix; bus: Bus }> = [];

  /** Each test gets its own prefix (streams, subjects), so consumers only see their own run. */
  async function useFreshBus(): Promise<void> {
    prefix = createTestNatsPrefix();
    bus = await connectBus({ servers: prefix.servers, name: 'stella-crash-test', prefix: prefix.prefix });
    buses.push({ prefix, bus });
    await ensureStreams(bus, [authorityStream]);
  }

  function startProducer(schema: string, env: Record<string, string>): Producer {
    const child = spawn(
      process.execPath,
      ['-r', path.join(fixtures, 'register-ts.js'), path.join(fixtures, 'outbox-producer.js')],
      {
        env: {
          ...process.env,
          STELLA_FIXTURE_DATABASE_URL: testSchema.url,
          STELLA_FIXTURE_SCHEMA: schema,
          STELLA_FIXTURE_NATS_URL: prefix.servers,
          STELLA_FIXTURE_PREFIX: prefix.prefix,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        if (code !== 0 && signal === null) lines.push({ phase: 'stderr', stderr });
        resolve({ code, signal });
      }),
    );
    return { child, lines, exited };
  }

  async function countRows(schema: string, where: string): Promise<number> {
    const [row] = await dataSource.query(
      `SELECT count(*)::int AS n FROM "${schema}".stella_outbox WHERE ${where}`,
    );
    return row.n;
  }

  async function effects(schema: string, consumer: string): Promise<{ total: number; distinct: number }> {
    const [row] = await dataSource.query(
      `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM "${schema}".effects WHERE consumer = $1`,
      [consumer],
    );
    return row;
  }

  async function countingConsumer(schema: string, durable: string, filter: string): Promise<RunningConsumer> {
    const consumer = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable,
      filterSubject: filter,
      concurrency: 4,
      handler: async (event, manager) => {
        await manager.query(`INSERT INTO "${schema}".effects (consumer, event_id) VALUES ($1, $2)`, [
          durable,
          event.id,
        ]);
      },
    });
    consumers.push(consumer);
    return consumer;
  }

  beforeAll(async () => {
    testSchema = await createTestSchema('tcrash');
    dataSource = await openServiceDataSource(testSchema.url, testSchema.schema);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop({ deadlineMs: 1000 });
    for (const entry of buses) {
      await entry.prefix.cleanup(entry.bus);
      await entry.bus.close();
    }
    await dataSource.destroy();
    await testSchema.drop();
  });

  it('loses and duplicates nothing when killed between publish and marking rows published', async () => {
    const total = 300;
    const schema = testSchema.schema;
    await useFreshBus();
    const consumer = await countingConsumer(schema, 'crash-exact', 'authority.>');

    const crashed = startProducer(schema, {
      STELLA_FIXTURE_COUNT: String(total),
      STELLA_FIXTURE_CRASH_AFTER_PUBLISHES: '60',
    });
    expect(await crashed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(crashed.lines[0]).toEqual({ phase: 'written', inserted: total });

    const markedBeforeRestart = await countRows(schema, 'published_at IS NOT NULL');
    const inStreamBeforeRestart = (await bus.jsm.streams.info(streamName(bus.prefix, authorityStream))).state
      .messages;
    // The crash left events in JetStream whose rows were never marked: they will be re-published.
    expect(markedBeforeRestart).toBeLessThan(total);
    expect(inStreamBeforeRestart).toBeGreaterThan(markedBeforeRestart);

    const restarted = startProducer(schema, { STELLA_FIXTURE_COUNT: String(total) });
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
    expect(restarted.lines).toEqual([
      { phase: 'written', inserted: 0 },
      expect.objectContaining({ phase: 'relayed' }),
    ]);

    expect(await countRows(schema, 'published_at IS NULL')).toBe(0);
    // Re-published ids fell inside the duplicate window: JetStream kept one copy of each.
    expect((await bus.jsm.streams.info(streamName(bus.prefix, authorityStream))).state.messages).toBe(total);
    await eventually(async () => (await effects(schema, 'crash-exact')).total >= total);
    expect(await effects(schema, 'crash-exact')).toEqual({ total, distinct: total });
    expect(consumer.stats.processed).toBe(total);
  });

  it('applies every event exactly once when SIGKILLed at an arbitrary point of the relay', async () => {
    const total = 1000;
    // A second service schema, so this run's outbox starts empty.
    const schema = `${testSchema.schema}_b`;
    const other = await openServiceDataSource(testSchema.url, schema, 2);
    await other.destroy();
    await useFreshBus();
    await countingConsumer(schema, 'crash-random', 'authority.>');
    try {
      const producer = startProducer(schema, {
        STELLA_FIXTURE_COUNT: String(total),
        STELLA_FIXTURE_RELAY_BATCH: '5',
        STELLA_FIXTURE_PUBLISH_DELAY_MS: '5',
      });
      await eventually(async () => (await countRows(schema, 'published_at IS NOT NULL')) >= total / 5, 5);
      producer.child.kill('SIGKILL');
      expect(await producer.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await countRows(schema, 'published_at IS NOT NULL')).toBeLessThan(total);

      const restarted = startProducer(schema, { STELLA_FIXTURE_COUNT: String(total) });
      expect(await restarted.exited).toEqual({ code: 0, signal: null });

      expect(await countRows(schema, 'published_at IS NULL')).toBe(0);
      expect((await bus.jsm.streams.info(streamName(bus.prefix, authorityStream))).state.messages).toBe(
        total,
      );
      await eventually(async () => (await effects(schema, 'crash-random')).total >= total);
      expect(await effects(schema, 'crash-random')).toEqual({ total, distinct: total });
    } finally {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

import type { DataSource } from 'typeorm';
import { StringCodec, type JsMsg } from 'nats';
import { buildEvent, encodeEvent } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import {
  BusError,
  DLQ_HEADERS,
  OutboxRelay,
  OutboxWriter,
  connectBus,
  deadLetterStream,
  defineStream,
  ensureStreams,
  publishEvent,
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
import { eventually, openServiceDataSource, userCreated } from './helpers';

// jest.config.js sets testTimeout per project, which Jest ignores: set it here.
jest.setTimeout(60_000);

const authorityStream = defineStream({ name: 'AUTHORITY', subjects: ['authority.>'], maxAgeDays: 1 });

describe('libs/bus against the real JetStream and Postgres', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;
  let writer: OutboxWriter;
  const prefixes: Array<{ prefix: TestNatsPrefix; bus: Bus }> = [];
  const consumers: RunningConsumer[] = [];
  const relays: OutboxRelay[] = [];

  /** A bus on a prefix of its own, with the authority and DLQ streams provisioned. */
  async function freshBus(): Promise<Bus> {
    const prefix = createTestNatsPrefix();
    const bus = await connectBus({ servers: prefix.servers, name: 'stella-bus-test', prefix: prefix.prefix });
    prefixes.push({ prefix, bus });
    await ensureStreams(bus, [authorityStream]);
    return bus;
  }

  async function effectsOf(consumer: string): Promise<string[]> {
    const rows: Array<{ event_id: string }> = await dataSource.query(
      'SELECT event_id FROM effects WHERE consumer = $1 ORDER BY id',
      [consumer],
    );
    return rows.map((row) => row.event_id);
  }

  async function deadLetters(bus: Bus, expected: number): Promise<JsMsg[]> {
    const stream = streamName(bus.prefix, deadLetterStream);
    await eventually(async () => (await bus.jsm.streams.info(stream)).state.messages >= expected);
    const consumer = await bus.js.consumers.get(stream);
    const messages: JsMsg[] = [];
    for await (const msg of await consumer.fetch({ max_messages: expected, expires: 2000 })) {
      messages.push(msg);
      if (messages.length === expected) break;
    }
    return messages;
  }

  beforeAll(async () => {
    testSchema = await createTestSchema('tbus');
    dataSource = await openServiceDataSource(testSchema.url, testSchema.schema);
    writer = new OutboxWriter(testSchema.schema);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop({ deadlineMs: 1000 });
    for (const relay of relays) await relay.stop();
    for (const { prefix, bus } of prefixes) {
      await prefix.cleanup(bus);
      await bus.close();
    }
    await dataSource.destroy();
    await testSchema.drop();
  });

  it('provisions streams idempotently with the prefix, updates drift, refuses storage changes', async () => {
    const bus = await freshBus();
    const name = streamName(bus.prefix, authorityStream);
    expect(name).toBe(`${bus.prefix.toUpperCase()}_AUTHORITY`);
    const info = await bus.jsm.streams.info(name);
    expect(info.config.subjects).toEqual([`${bus.prefix}.authority.>`]);
    expect(info.config.duplicate_window).toBe(120_000_000_000);
    const dlq = await bus.jsm.streams.info(streamName(bus.prefix, deadLetterStream));
    expect(dlq.config.subjects).toEqual([`${bus.prefix}.dlq.>`]);

    expect(await ensureStreams(bus, [authorityStream])).toEqual([
      { name, action: 'unchanged' },
      { name: `${bus.prefix.toUpperCase()}_DLQ`, action: 'unchanged' },
    ]);
    const longer = defineStream({ ...authorityStream, maxAgeDays: 2 });
    expect((await ensureStreams(bus, [longer]))[0]).toEqual({ name, action: 'updated' });
    expect((await bus.jsm.streams.info(name)).config.max_age).toBe(2 * 86_400_000_000_000);

    const inMemory = defineStream({ ...authorityStream, storage: 'memory' });
    await expect(ensureStreams(bus, [inMemory])).rejects.toMatchObject({ code: 'STREAM_CONFLICT' });
  });

  it('refuses invalid stream definitions', () => {
    expect(() => defineStream({ name: 'lower', subjects: ['a.>'], maxAgeDays: 1 })).toThrow(BusError);
    expect(() => defineStream({ name: 'X', subjects: ['dlq.>'], maxAgeDays: 1 })).toThrow(BusError);
    expect(() => defineStream({ name: 'X', subjects: ['A.>'], maxAgeDays: 1 })).toThrow(BusError);
  });

  it('deduplicates publishes of the same event id (Nats-Msg-Id)', async () => {
    const bus = await freshBus();
    const event = userCreated(1);
    const first = await publishEvent(bus, event);
    const second = await publishEvent(bus, event);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    const stored = await bus.jsm.streams.getMessage(streamName(bus.prefix, authorityStream), {
      seq: first.seq,
    });
    expect(stored.subject).toBe(`${bus.prefix}.authority.user.created`);
    expect(stored.header.get('Nats-Msg-Id')).toBe(event.id);
    expect(stored.header.get('content-type')).toBe('application/cloudevents+json');
    expect(JSON.parse(StringCodec().decode(stored.data))).toEqual(event);
  });

  it('enqueues only inside a transaction, and only committed events are relayed, in outbox order', async () => {
    const bus = await freshBus();
    await expect(writer.enqueue(dataSource.manager, userCreated(0))).rejects.toMatchObject({
      code: 'OUTBOX_REQUIRES_TRANSACTION',
    });

    // Poll interval far beyond the test timeout: only the NOTIFY from the commit can wake the relay.
    const relay = new OutboxRelay({ bus, dataSource, batchSize: 7, pollIntervalMs: 3_600_000 });
    relays.push(relay);
    await relay.start();

    const committed = Array.from({ length: 30 }, (_, i) => userCreated(100 + i, 'tenant-order'));
    const rolledBack = userCreated(999, 'tenant-order');
    for (let i = 0; i < committed.length; i += 5) {
      await withTransaction(dataSource, (manager) => writer.enqueueMany(manager, committed.slice(i, i + 5)));
    }
    await expect(
      withTransaction(dataSource, async (manager) => {
        await writer.enqueue(manager, rolledBack);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const again = await withTransaction(dataSource, (manager) => writer.enqueue(manager, committed[0]!));
    expect(again).toEqual({ inserted: false });

    const stream = streamName(bus.prefix, authorityStream);
    await eventually(async () => (await bus.jsm.streams.info(stream)).state.messages >= committed.length);
    await relay.stop();

    const ids: string[] = [];
    for (let seq = 1; seq <= committed.length; seq += 1) {
      const stored = await bus.jsm.streams.getMessage(stream, { seq });
      ids.push(stored.header.get('Nats-Msg-Id'));
    }
    expect(ids).toEqual(committed.map((event) => event.id));
    expect((await bus.jsm.streams.info(stream)).state.messages).toBe(committed.length);
    const [pending] = await dataSource.query(
      `SELECT count(*)::int AS n FROM stella_outbox WHERE published_at IS NULL AND event_id = ANY($1)`,
      [committed.map((event) => event.id)],
    );
    expect(pending.n).toBe(0);
  });

  it('records publish failures on the row and keeps it for the next pass', async () => {
    const bus = await freshBus();
    await bus.jsm.streams.delete(streamName(bus.prefix, authorityStream));
    const relay = new OutboxRelay({ bus, dataSource, listen: false });
    const event = userCreated(500, 'tenant-nostream');
    await withTransaction(dataSource, (manager) => writer.enqueue(manager, event));
    // Other tests' rows may be pending in the same outbox: relay until ours was attempted.
    await eventually(async () => {
      await relay.relayBatch();
      const [row] = await dataSource.query('SELECT publish_attempts FROM stella_outbox WHERE event_id = $1', [
        event.id,
      ]);
      return row.publish_attempts > 0;
    });
    const [row] = await dataSource.query(
      'SELECT published_at, publish_attempts, last_error FROM stella_outbox WHERE event_id = $1',
      [event.id],
    );
    expect(row.published_at).toBeNull();
    expect(row.last_error).toMatch(/publish of stella\.authority\.user\.created/);
    await dataSource.query('DELETE FROM stella_outbox WHERE event_id = $1', [event.id]);
  });

  it('runs the effect of a handler that fails twice then succeeds exactly once', async () => {
    const bus = await freshBus();
    let attempts = 0;
    const consumer = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable: 'flaky',
      backoffMs: [20],
      handler: async (event, manager) => {
        attempts += 1;
        await manager.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', ['flaky', event.id]);
        if (attempts <= 2) throw new Error(`transient failure ${attempts}`);
      },
    });
    consumers.push(consumer);
    const event = userCreated(2);
    await publishEvent(bus, event);
    await eventually(() => consumer.stats.processed === 1);
    expect(attempts).toBe(3);
    expect(consumer.stats).toEqual({ processed: 1, duplicates: 0, failed: 2, deadLettered: 0 });
    expect(await effectsOf('flaky')).toEqual([event.id]);
  });

  it('dead-letters a poison message after maxDeliver attempts, with the reason in headers', async () => {
    const bus = await freshBus();
    let attempts = 0;
    const consumer = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable: 'poisoned',
      maxDeliver: 3,
      backoffMs: [10, 20],
      handler: async (event, manager) => {
        attempts += 1;
        await manager.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', [
          'poisoned',
          event.id,
        ]);
        throw new Error('cannot handle\nthis');
      },
    });
    consumers.push(consumer);
    const event = userCreated(3);
    const published = await publishEvent(bus, event);

    const [dead] = await deadLetters(bus, 1);
    expect(attempts).toBe(3);
    expect(dead!.subject).toBe(`${bus.prefix}.dlq.poisoned`);
    expect(dead!.headers!.get(DLQ_HEADERS.reason)).toBe('handler_failed');
    expect(dead!.headers!.get(DLQ_HEADERS.error)).toBe('cannot handle this');
    expect(dead!.headers!.get(DLQ_HEADERS.errorCode)).toBe('Error');
    expect(dead!.headers!.get(DLQ_HEADERS.deliveries)).toBe('3');
    expect(dead!.headers!.get(DLQ_HEADERS.consumer)).toBe('poisoned');
    expect(dead!.headers!.get(DLQ_HEADERS.streamSeq)).toBe(String(published.seq));
    expect(dead!.headers!.get(DLQ_HEADERS.eventId)).toBe(event.id);
    expect(dead!.headers!.get('content-type')).toBe('application/cloudevents+json');
    expect(JSON.parse(StringCodec().decode(dead!.data))).toEqual(event);
    await eventually(() => consumer.stats.deadLettered === 1);
    expect(await effectsOf('poisoned')).toEqual([]);
  });

  it('dead-letters an invalid message at once without calling the handler', async () => {
    const bus = await freshBus();
    let calls = 0;
    const consumer = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable: 'strict',
      handler: async () => {
        calls += 1;
      },
    });
    consumers.push(consumer);
    const bogus = { ...userCreated(4), data: { userId: 'no tenant' } };
    await bus.js.publish(`${bus.prefix}.authority.user.created`, JSON.stringify(bogus));
    await bus.js.publish(`${bus.prefix}.authority.user.created`, 'not json');

    const dead = await deadLetters(bus, 2);
    expect(dead.map((msg) => msg.headers!.get(DLQ_HEADERS.reason))).toEqual([
      'invalid_event',
      'invalid_event',
    ]);
    expect(dead.map((msg) => msg.headers!.get(DLQ_HEADERS.errorCode))).toEqual([
      'INVALID_EVENT_DATA',
      'INVALID_EVENT_JSON',
    ]);
    expect(dead.map((msg) => msg.headers!.get(DLQ_HEADERS.deliveries))).toEqual(['1', '1']);
    expect(calls).toBe(0);
  });

  it('skips a redelivered duplicate through the inbox', async () => {
    const bus = await freshBus();
    const consumer = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable: 'dedup',
      concurrency: 4,
      handler: async (event, manager) => {
        await manager.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', ['dedup', event.id]);
      },
    });
    consumers.push(consumer);
    const event = userCreated(5);
    await publishEvent(bus, event);
    // The same event published again past JetStream's dedup (another msg id), as after the
    // duplicate window or from a second producer: the inbox must drop it.
    await bus.js.publish(`${bus.prefix}.authority.user.created`, encodeEvent(event), {
      msgID: `${event.id}-again`,
    });
    await bus.js.publish(`${bus.prefix}.authority.user.created`, encodeEvent(event), {
      msgID: `${event.id}-third`,
    });
    await eventually(() => consumer.stats.processed + consumer.stats.duplicates === 3);
    expect(consumer.stats).toMatchObject({ processed: 1, duplicates: 2 });
    expect(await effectsOf('dedup')).toEqual([event.id]);
  });

  it('processes with concurrency, then stops cleanly and resumes from the durable position', async () => {
    const bus = await freshBus();
    const events = Array.from({ length: 40 }, (_, i) => userCreated(1000 + i, 'tenant-resume'));
    const handler = async (event: { id: string }, manager: { query: DataSource['query'] }) => {
      await manager.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', ['resume', event.id]);
    };
    const first = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable: 'resume',
      concurrency: 3,
      handler,
    });
    for (const event of events.slice(0, 20)) await publishEvent(bus, event);
    await eventually(() => first.stats.processed === 20);
    await first.stop();

    for (const event of events.slice(20)) await publishEvent(bus, event);
    const second = await startConsumer({
      bus,
      dataSource,
      stream: authorityStream,
      durable: 'resume',
      concurrency: 3,
      handler,
    });
    consumers.push(second);
    await eventually(() => second.stats.processed === 20);
    expect((await effectsOf('resume')).sort()).toEqual(events.map((event) => event.id).sort());
    expect(second.stats.duplicates).toBe(0);
  });

  it('refuses invalid consumer options', async () => {
    const bus = await freshBus();
    await expect(
      startConsumer({
        bus,
        dataSource,
        stream: authorityStream,
        durable: 'Has.Dots',
        handler: async () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('publishEvent validates the event first', async () => {
    const bus = await freshBus();
    const event = buildEvent('stella.authority.tenant.created', {
      source: '/stella/authority',
      tenant: 'acme',
      data: { tenantId: 'acme', name: 'Acme', actor: { type: 'system', id: 'x' } },
    });
    await expect(publishEvent(bus, { ...event, tenant: 'bad tenant' })).rejects.toMatchObject({
      code: 'INVALID_ENVELOPE',
    });
  });
});

import type { DataSource } from 'typeorm';
import { encodeEvent } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import { connectBus, defineStream, ensureStreams, OutboxRelay, OutboxWriter, streamName, type Bus, type BusLogger } from '@stella/bus';
import { createTestNatsPrefix, createTestSchema, type TestNatsPrefix, type TestSchema } from '@stella/testing';
import { openServiceDataSource, userCreated } from './helpers';

jest.setTimeout(60_000);

const authorityStream = defineStream({ name: 'AUTHORITY', subjects: ['authority.>'], maxAgeDays: 1 });

// An event larger than the real NATS server's max payload can never be published: the relay
// must set it aside (dead-letter state in the outbox, error log, metric) instead of retrying it
// forever, and the events after it must still go out, in order.
describe('outbox relay and events over the NATS max payload (real JetStream and Postgres)', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;
  let prefix: TestNatsPrefix;
  let bus: Bus;
  const writer = () => new OutboxWriter(testSchema.schema);

  beforeAll(async () => {
    testSchema = await createTestSchema('tbusbig');
    dataSource = await openServiceDataSource(testSchema.url, testSchema.schema);
    prefix = createTestNatsPrefix();
    bus = await connectBus({ servers: prefix.servers, name: 'stella-bus-oversize-test', prefix: prefix.prefix });
    await ensureStreams(bus, [authorityStream]);
  });
  afterAll(async () => {
    await prefix?.cleanup(bus);
    await bus?.close();
    await dataSource?.destroy();
    await testSchema?.drop();
  });

  /** A committed outbox row whose body is a real encoded event padded to `bytes`. */
  async function oversized(index: number, bytes: number): Promise<{ id: string; type: string }> {
    const event = userCreated(index, 'tenant-big');
    const small = encodeEvent(event);
    const body = encodeEvent({ ...event, data: { ...event.data, username: 'x'.repeat(bytes - small.length + `user${index}`.length) } } as typeof event);
    expect(Buffer.byteLength(body)).toBe(bytes);
    await dataSource.query(`INSERT INTO stella_outbox (event_id, event_type, body) VALUES ($1, $2, $3)`, [event.id, event.type, body]);
    return { id: event.id, type: event.type };
  }

  it('dead-letters an event over max_payload (body, or body plus headers) with the reason, logs and counts it, and publishes the rest in order', async () => {
    const maxPayload = bus.nc.info!.max_payload;
    expect(maxPayload).toBeGreaterThan(0);
    const before = userCreated(1, 'tenant-big');
    await withTransaction(dataSource, (manager) => writer().enqueue(manager, before));
    const tooBig = await oversized(2, maxPayload + 4096);
    // Fits alone, not with the headers the relay adds: nats.js refuses it (MAX_PAYLOAD_EXCEEDED).
    const tooBigWithHeaders = await oversized(3, maxPayload - 8);
    const after = userCreated(4, 'tenant-big');
    await withTransaction(dataSource, (manager) => writer().enqueue(manager, after));

    const errors: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger: BusLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (fields, message) => void errors.push({ fields: fields as Record<string, unknown>, message }) };
    const counted: Array<{ type: string; outcome: string }> = [];
    const relay = new OutboxRelay({ bus, dataSource, listen: false, logger, metrics: { eventsPublished: { inc: (labels) => void counted.push(labels) } } });

    expect(await relay.relayBatch()).toEqual({ published: 2, failed: 0, deadLettered: 2 });
    // Nothing left to do: the dead-lettered rows are not claimed again.
    expect(await relay.relayBatch()).toEqual({ published: 0, failed: 0, deadLettered: 0 });

    const stream = streamName(bus.prefix, authorityStream);
    expect((await bus.jsm.streams.info(stream)).state.messages).toBe(2);
    const ids = [1, 2].map(async (seq) => (await bus.jsm.streams.getMessage(stream, { seq })).header.get('Nats-Msg-Id'));
    expect(await Promise.all(ids)).toEqual([before.id, after.id]);

    const rows: Array<{ event_id: string; published_at: Date | null; failed_at: Date | null; publish_attempts: number; last_error: string | null }> = await dataSource.query(
      `SELECT event_id, published_at, failed_at, publish_attempts, last_error FROM stella_outbox WHERE event_id = ANY($1) ORDER BY seq`,
      [[tooBig.id, tooBigWithHeaders.id]],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.published_at).toBeNull();
      expect(row.failed_at).toBeInstanceOf(Date);
      expect(row.publish_attempts).toBe(1);
    }
    expect(rows[0]!.last_error).toMatch(new RegExp(`event is ${maxPayload + 4096} bytes, over the NATS server's max payload of ${maxPayload} bytes`));
    expect(rows[1]!.last_error).toMatch(/MAX_PAYLOAD_EXCEEDED.*can never be published/);

    expect(errors.map((e) => [e.message, e.fields.eventId, e.fields.eventType])).toEqual([
      ['outbox event dead-lettered: too large to publish', tooBig.id, tooBig.type],
      ['outbox event dead-lettered: too large to publish', tooBigWithHeaders.id, tooBigWithHeaders.type],
    ]);
    expect(counted.filter((c) => c.outcome === 'dead_letter')).toEqual([
      { type: tooBig.type, outcome: 'dead_letter' },
      { type: tooBigWithHeaders.type, outcome: 'dead_letter' },
    ]);
    expect(relay.stats).toEqual({ published: 2, deadLettered: 2 });
    expect((await relay.deadLettered()).map((d) => [d.eventId, d.bytes])).toEqual([
      [tooBig.id, maxPayload + 4096],
      [tooBigWithHeaders.id, maxPayload - 8],
    ]);
  });
});

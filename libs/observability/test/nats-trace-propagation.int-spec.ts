import { AckPolicy, connect, headers, type NatsConnection } from 'nats';
import { createTestNatsPrefix } from '@stella/testing';
import {
  contextFromHttpHeaders,
  contextFromNatsHeaders,
  currentTraceIds,
  currentTraceparent,
  traceHeadersForNats,
  withContext,
} from '../src';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('trace context over a real NATS server', () => {
  const nats = createTestNatsPrefix();
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers: nats.servers, name: 'observability-int-spec' });
  });

  afterAll(async () => {
    await nats.cleanup();
    await nc.close();
  });

  it('delivers the traceparent of a core NATS message to the subscriber with the same trace id', async () => {
    const subject = `${nats.prefix}.trace.core`;
    const subscription = nc.subscribe(subject, { max: 1 });
    const received = (async () => {
      for await (const msg of subscription) {
        const ctx = contextFromNatsHeaders(msg.headers);
        // What a handler sees once it runs inside the extracted context.
        return withContext(ctx, () => ({ ids: currentTraceIds(), traceparent: currentTraceparent() }));
      }
      throw new Error('subscription closed without a message');
    })();

    const incoming = contextFromHttpHeaders({ traceparent: TRACEPARENT });
    withContext(incoming, () => nc.publish(subject, 'payload', { headers: traceHeadersForNats(headers()) }));

    const seen = await received;
    expect(seen.ids).toEqual({ traceId: TRACE_ID, spanId: PARENT_ID });
    expect(seen.traceparent).toBe(TRACEPARENT);
  });

  it('keeps the traceparent on a JetStream message stored and fetched later', async () => {
    const jsm = await nc.jetstreamManager();
    const stream = `${nats.streamPrefix}_TRACE`;
    const subject = `${nats.prefix}.trace.js`;
    await jsm.streams.add({ name: stream, subjects: [subject] });
    await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });

    const js = nc.jetstream();
    const sent = traceHeadersForNats(headers(), contextFromHttpHeaders({ traceparent: TRACEPARENT }));
    await js.publish(subject, 'payload', { headers: sent });

    const consumer = await js.consumers.get(stream, 'reader');
    const msg = await consumer.next({ expires: 5000 });
    expect(msg).not.toBeNull();
    msg?.ack();
    expect(currentTraceIds(contextFromNatsHeaders(msg?.headers))?.traceId).toBe(TRACE_ID);
  });
});

import { ROOT_CONTEXT, propagation } from '@opentelemetry/api';
import { headers } from 'nats';
import {
  activeContext,
  contextFromHttpHeaders,
  contextFromNatsHeaders,
  currentTraceIds,
  currentTraceparent,
  extractTraceContext,
  injectTraceContext,
  traceHeadersForHttp,
  traceHeadersForNats,
  withContext,
  withIncomingTraceContext,
} from './trace-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('trace context without the SDK', () => {
  it('carries an incoming traceparent unchanged from HTTP headers to NATS headers', () => {
    const incoming = contextFromHttpHeaders({
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
      host: 'x',
    });
    const outgoing = withContext(incoming, () => traceHeadersForNats(headers()));
    expect(outgoing.get('traceparent')).toBe(TRACEPARENT);
    expect(outgoing.get('tracestate')).toBe('vendor=abc');
  });

  it('extracts on the NATS side what was injected, with the same trace id', () => {
    const sent = traceHeadersForNats(
      headers(),
      extractTraceContext((name) => (name === 'traceparent' ? TRACEPARENT : undefined)),
    );
    const received = contextFromNatsHeaders(sent);
    expect(currentTraceIds(received)).toEqual({ traceId: TRACE_ID, spanId: PARENT_ID });
    expect(currentTraceparent(received)).toBe(TRACEPARENT);
  });

  it('reads NATS header names case-insensitively', () => {
    const h = headers();
    h.set('Traceparent', TRACEPARENT);
    expect(currentTraceIds(contextFromNatsHeaders(h))?.traceId).toBe(TRACE_ID);
  });

  it('keeps the active context across awaits', async () => {
    const ctx = contextFromHttpHeaders({ traceparent: TRACEPARENT });
    const seen = await withContext(ctx, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentTraceparent();
    });
    expect(seen).toBe(TRACEPARENT);
    expect(currentTraceparent()).toBeUndefined();
  });

  it('injects nothing when there is no trace, and ignores malformed traceparents', () => {
    expect(traceHeadersForHttp(ROOT_CONTEXT)).toEqual({});
    const malformed = contextFromHttpHeaders({ traceparent: '00-zz-yy-01' });
    expect(currentTraceparent(malformed)).toBeUndefined();
    expect(contextFromNatsHeaders(undefined)).toBe(activeContext());
    expect(traceHeadersForNats(headers(), ROOT_CONTEXT).keys()).toEqual([]);
  });

  it('takes the first value of a repeated HTTP header', () => {
    const ctx = contextFromHttpHeaders({
      traceparent: [TRACEPARENT, '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01'],
    });
    expect(currentTraceIds(ctx)?.traceId).toBe(TRACE_ID);
  });

  it('offers setter/getter helpers for any carrier and installs the W3C propagator globally', () => {
    const carrier = new Map<string, string>();
    injectTraceContext(
      (name, value) => carrier.set(name, value),
      contextFromHttpHeaders({ traceparent: TRACEPARENT }),
    );
    expect(carrier.get('traceparent')).toBe(TRACEPARENT);
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage']));
  });

  it('runs a request handler in the incoming trace context unless a span is already active', () => {
    expect(withIncomingTraceContext({ traceparent: TRACEPARENT }, () => currentTraceparent())).toBe(
      TRACEPARENT,
    );
    const otherTrace = '00-11111111111111111111111111111111-2222222222222222-01';
    const active = contextFromHttpHeaders({ traceparent: otherTrace });
    const seen = withContext(active, () =>
      withIncomingTraceContext({ traceparent: TRACEPARENT }, () => currentTraceparent()),
    );
    expect(seen).toBe(otherTrace);
  });
});

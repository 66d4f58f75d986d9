import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { currentTraceIds, traceHeadersForHttp, withIncomingTraceContext } from '../src';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('trace context over HTTP without the SDK', () => {
  const servers: Server[] = [];

  afterAll(async () => {
    await Promise.all(servers.map(close));
  });

  it('carries an incoming traceparent unchanged to the next service called', async () => {
    let headersAtDownstream: IncomingHttpHeaders = {};
    const downstream = createServer((req, res) => {
      headersAtDownstream = req.headers;
      res.end('ok');
    });
    const downstreamUrl = await listen(downstream);

    let idsInHandler: ReturnType<typeof currentTraceIds>;
    const edge = createServer((req, res) => {
      withIncomingTraceContext(req.headers, async () => {
        idsInHandler = currentTraceIds();
        await new Promise((resolve) => setImmediate(resolve));
        const answer = await fetch(`${downstreamUrl}/next`, { headers: traceHeadersForHttp() });
        res.end(await answer.text());
      }).catch((error: unknown) => res.destroy(error as Error));
    });
    servers.push(downstream, edge);
    const edgeUrl = await listen(edge);

    const response = await fetch(`${edgeUrl}/start`, {
      headers: { traceparent: TRACEPARENT, tracestate: 'stella=1' },
    });
    expect(await response.text()).toBe('ok');
    expect(idsInHandler).toEqual({ traceId: TRACE_ID, spanId: PARENT_ID });
    expect(headersAtDownstream['traceparent']).toBe(TRACEPARENT);
    expect(headersAtDownstream['tracestate']).toBe('stella=1');
  });
});

interface ChildReport {
  seen: Record<string, { ids?: { traceId: string; spanId: string }; outgoing: Record<string, string> }>;
  spans: {
    kind: SpanKind;
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    target?: string;
    resource: Record<string, unknown>;
  }[];
}

describe('HTTP tracing with the SDK started', () => {
  // Auto-instrumentation patches Node's own module loader, which Jest replaces: run it in a plain node child.
  async function runChild(): Promise<ChildReport> {
    const fixtures = join(__dirname, 'fixtures');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', join(fixtures, 'swc-register.js'), join(fixtures, 'http-tracing-child.ts'), TRACEPARENT],
      { timeout: 60_000, env: { PATH: process.env['PATH'] ?? '' } },
    );
    return JSON.parse(stdout) as ChildReport;
  }

  it('continues the caller trace inside the handler, exports the server span, and skips /metrics', async () => {
    const report = await runChild();

    const inHandler = report.seen['/releases/r1'];
    expect(inHandler?.ids?.traceId).toBe(TRACE_ID);
    // The handler runs inside the server span, a child of the caller's span.
    expect(inHandler?.ids?.spanId).not.toBe(PARENT_ID);
    expect(inHandler?.outgoing['traceparent']).toBe(`00-${TRACE_ID}-${inHandler?.ids?.spanId}-01`);

    expect(report.spans).toHaveLength(1);
    const [serverSpan] = report.spans;
    expect(serverSpan).toMatchObject({
      kind: SpanKind.SERVER,
      traceId: TRACE_ID,
      spanId: inHandler?.ids?.spanId,
      parentSpanId: PARENT_ID,
      target: '/releases/r1',
    });
    expect(serverSpan?.resource).toMatchObject({ 'service.name': 'obs-child', 'service.version': '9.9.9' });
  }, 60_000);
});

import { createMetrics } from './metrics';

describe('createMetrics', () => {
  it('records the service metrics by their labels', async () => {
    const metrics = createMetrics('orchestrator');
    metrics.httpRequestDuration.observe({ method: 'GET', route: '/releases/:id', status: '200' }, 0.042);
    metrics.eventsPublished.inc({ type: 'release.promoted.v1', outcome: 'ok' });
    metrics.eventsConsumed.inc({ type: 'scan.completed.v1', outcome: 'retry' }, 2);
    metrics.outboxLag.set(1.5);

    const duration = await metrics.httpRequestDuration.get();
    const bucket = duration.values.find(
      (v) =>
        v.metricName === 'http_request_duration_seconds_bucket' &&
        (v.labels as Record<string, unknown>)['le'] === 0.05,
    );
    expect(bucket).toMatchObject({
      value: 1,
      labels: { method: 'GET', route: '/releases/:id', status: '200' },
    });
    expect((await metrics.eventsPublished.get()).values).toEqual([
      { value: 1, labels: { type: 'release.promoted.v1', outcome: 'ok' } },
    ]);
    expect((await metrics.eventsConsumed.get()).values).toEqual([
      { value: 2, labels: { type: 'scan.completed.v1', outcome: 'retry' } },
    ]);
    expect((await metrics.outboxLag.get()).values).toEqual([{ value: 1.5, labels: {} }]);
  });

  it('serves exposition text with the service metrics and default Node metrics', async () => {
    const metrics = createMetrics('scanner');
    metrics.eventsPublished.inc({ type: 'scan.completed.v1', outcome: 'ok' });
    metrics.httpRequestDuration.observe({ method: 'GET', route: '/x', status: '200' }, 0.2);
    const text = await metrics.registry.metrics();
    for (const name of [
      'http_request_duration_seconds',
      'events_published_total',
      'events_consumed_total',
      'outbox_lag_seconds',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // The service label is a registry default label: added at exposition, to every series.
    expect(text).toContain('outbox_lag_seconds{service="scanner"} 0');
    const series = text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(series.length).toBeGreaterThan(10);
    for (const line of series) expect(line).toMatch(/\{(.*,)?service="scanner"(,.*)?\} /);
    expect(metrics.registry.contentType).toMatch(/^text\/plain/);
  });

  it('keeps two services in one process apart', async () => {
    const a = createMetrics('authority');
    const b = createMetrics('policy');
    a.eventsPublished.inc({ type: 'x', outcome: 'ok' });

    expect((await a.eventsPublished.get()).values).toHaveLength(1);
    expect((await b.eventsPublished.get()).values).toHaveLength(0);
    expect(a.registry).not.toBe(b.registry);
  });

  it('rejects a service name that is not a plain identifier', () => {
    expect(() => createMetrics('Bad Name')).toThrow();
  });
});

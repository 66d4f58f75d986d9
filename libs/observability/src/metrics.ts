import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';

export type EventOutcome = 'ok' | 'error' | 'retry' | 'dead_letter' | 'duplicate';

export interface ServiceMetrics {
  /** This service's own registry: several apps (and test files) in one process never collide. */
  readonly registry: Registry;
  /** Labels: method, route (the route template, never the raw URL), status. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Labels: type (event type), outcome. */
  readonly eventsPublished: Counter<'type' | 'outcome'>;
  /** Labels: type (event type), outcome. */
  readonly eventsConsumed: Counter<'type' | 'outcome'>;
  /** Age of the oldest unpublished outbox row; 0 when the outbox is empty. */
  readonly outboxLag: Gauge;
}

const serviceNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
  error: 'expected a service name matching ^[a-z][a-z0-9-]{0,62}$',
});

/** Seconds; from a fast cache hit to a slow upstream call. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The metrics every Stella service exposes, on a fresh registry with default Node metrics and
 * a `service` label. Serve `registry.metrics()` with `registry.contentType` at GET /metrics.
 */
export function createMetrics(service: string): ServiceMetrics {
  const serviceName = serviceNameSchema.parse(service);
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });

  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests handled by this service',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  const eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Events this service published to NATS, by event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Events this service consumed from NATS, by event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const outboxLag = new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest event in the outbox not yet published',
    registers: [registry],
  });
  outboxLag.set(0);

  return { registry, httpRequestDuration, eventsPublished, eventsConsumed, outboxLag };
}

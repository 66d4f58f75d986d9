import { trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { installTracePropagation, w3cPropagator } from './trace-context';

export interface Telemetry {
  /** Exports the spans still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and removes the instrumentation patches. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP/HTTP base URL (as OTEL_EXPORTER_OTLP_ENDPOINT): spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string | undefined;
  /** Sends spans here instead of OTLP (tests use an InMemorySpanExporter). */
  spanExporter?: SpanExporter | undefined;
  /** Paths whose incoming requests are not traced; defaults to the health and metrics endpoints. */
  ignoredPaths?: readonly string[] | undefined;
}

export type TelemetryErrorCode = 'TELEMETRY_ALREADY_STARTED';

export class TelemetryError extends Error {
  constructor(
    readonly code: TelemetryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TelemetryError';
  }
}

export const DEFAULT_UNTRACED_PATHS: readonly string[] = Object.freeze([
  '/health/liveness',
  '/health/readiness',
  '/metrics',
]);

const startTelemetryOptionsSchema = z.object({
  serviceName: z.string().min(1),
  serviceVersion: z.string().min(1),
  otlpEndpoint: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  spanExporter: z
    .custom<SpanExporter>((value) => typeof (value as { export?: unknown } | null)?.export === 'function', {
      error: 'expected a SpanExporter',
    })
    .optional(),
  ignoredPaths: z.array(z.string().startsWith('/')).optional(),
});

let running: Telemetry | undefined;

export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts the OpenTelemetry SDK (traces only: metrics are prom-client, logs are pino) when an
 * OTLP endpoint or an exporter is given; otherwise returns undefined without loading the SDK.
 * Call it before the modules it instruments (http, express, pg) are first required, so
 * their exports are patched before anyone holds on to them.
 */
export async function startTelemetry(opts: StartTelemetryOptions): Promise<Telemetry | undefined> {
  const options = startTelemetryOptionsSchema.parse(opts);
  if (options.otlpEndpoint === undefined && options.spanExporter === undefined) return undefined;
  if (running)
    throw new TelemetryError('TELEMETRY_ALREADY_STARTED', 'telemetry is already started in this process');

  // Loaded here, not at the top: a service without tracing never pays for the SDK.
  const { NodeSDK, tracing, resources } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } =
    require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');

  const exporter =
    options.spanExporter ?? new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint ?? '') });
  const spanProcessor = new tracing.BatchSpanProcessor(exporter);
  const untraced = new Set(options.ignoredPaths ?? DEFAULT_UNTRACED_PATHS);
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => untraced.has((req.url ?? '').split('?')[0] ?? ''),
    }),
    new ExpressInstrumentation(),
    // Statement text only, never bound values: those may be secrets or personal data.
    new PgInstrumentation({ enhancedDatabaseReporting: false }),
  ];

  const sdk = new NodeSDK({
    resource: resources.resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
    }),
    serviceName: options.serviceName,
    spanProcessors: [spanProcessor],
    textMapPropagator: w3cPropagator,
    instrumentations,
    // Metrics and logs have their own pipelines: keep the SDK from exporting them over OTLP by default.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // After the SDK registered its context manager and propagator (equivalent to ours), or kept ours if earlier.
  installTracePropagation();

  const telemetry: Telemetry = {
    forceFlush: () => spanProcessor.forceFlush(),
    shutdown: async () => {
      try {
        await sdk.shutdown();
      } finally {
        for (const instrumentation of instrumentations) instrumentation.disable();
        // Unregister the tracer provider so a later start in this process (tests) can register its own.
        trace.disable();
        running = undefined;
      }
    },
  };
  running = telemetry;
  return telemetry;
}

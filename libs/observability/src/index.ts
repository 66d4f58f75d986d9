export {
  createLogger,
  type CreateLoggerOptions,
  type Logger,
  type LogDestination,
  type LogLevel,
  LOG_LEVELS,
  REDACTED_FIELDS,
  REDACTION_CENSOR,
} from './logger';
export { createMetrics, type ServiceMetrics, type EventOutcome, HTTP_DURATION_BUCKETS } from './metrics';
export {
  startTelemetry,
  type StartTelemetryOptions,
  type Telemetry,
  TelemetryError,
  type TelemetryErrorCode,
  DEFAULT_UNTRACED_PATHS,
} from './telemetry';
export {
  type TraceContext,
  type HeaderGetter,
  type HeaderSetter,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  injectTraceContext,
  extractTraceContext,
  withContext,
  activeContext,
  currentTraceparent,
  currentTraceIds,
  traceHeadersForNats,
  contextFromNatsHeaders,
  traceHeadersForHttp,
  contextFromHttpHeaders,
  withIncomingTraceContext,
} from './trace-context';

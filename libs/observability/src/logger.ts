import pino from 'pino';
import { z } from 'zod';
import { currentTraceIds } from './trace-context';

export type Logger = pino.Logger;
export type LogDestination = pino.DestinationStream;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field names whose values never reach a log line, wherever they appear in the shapes we log. */
export const REDACTED_FIELDS: readonly string[] = Object.freeze([
  'password',
  'passphrase',
  'secret',
  'client_secret',
  'clientSecret',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-api-key',
]);

export const REDACTION_CENSOR = '[REDACTED]';

function pathSegment(field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `[${JSON.stringify(field)}]`;
}

/**
 * The field itself, one and two levels down (`err.token`, `req.headers.authorization`),
 * and inside `headers` three levels down (`ctx.req.headers.cookie`).
 */
export function redactionPaths(fields: readonly string[] = REDACTED_FIELDS): string[] {
  return fields.flatMap((field) => {
    const segment = pathSegment(field);
    const top = segment.startsWith('.') ? segment.slice(1) : segment;
    return [top, `*${segment}`, `*.*${segment}`, `*.*.headers${segment}`];
  });
}

const createLoggerOptionsSchema = z.object({
  service: z.string().min(1),
  level: z.enum([...LOG_LEVELS, 'silent']),
  destination: z
    .custom<LogDestination>((value) => typeof (value as { write?: unknown } | null)?.write === 'function', {
      error: 'expected a stream with write()',
    })
    .optional(),
});

export interface CreateLoggerOptions {
  service: string;
  level: LogLevel | 'silent';
  /** Defaults to stdout. */
  destination?: LogDestination;
}

/**
 * JSON logs: `{"level":"info","time":"<ISO>","service":"…","trace_id":"…","span_id":"…","msg":"…"}`.
 * Secrets in common shapes are replaced by "[REDACTED]" (see REDACTED_FIELDS).
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const { service, level, destination } = createLoggerOptionsSchema.parse(opts);
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactionPaths(), censor: REDACTION_CENSOR },
    // Lets a log line be found from a trace and the other way round.
    mixin: () => {
      const ids = currentTraceIds();
      return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

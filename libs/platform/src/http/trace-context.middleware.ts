import type { NextFunction, Request, Response } from 'express';
import { contextFromHttpHeaders, withContext } from '@stella/observability';

/**
 * Makes an incoming `traceparent` the active context for the whole request, so events the
 * request writes (outbox) and calls it makes carry the caller's trace even when no
 * OpenTelemetry SDK is exporting spans. With the SDK running, its HTTP instrumentation has
 * already done this and the extraction below yields the same context.
 */
export function traceContext() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    withContext(contextFromHttpHeaders(req.headers), next);
  };
}

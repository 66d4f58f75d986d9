import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '@stella/observability';

/** Records `http_request_duration_seconds` by route template and logs failed requests. */
export function requestMetrics(metrics: ServiceMetrics, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Route templates keep label cardinality bounded; unmatched paths share one label.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequestDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        seconds,
      );
      const entry = {
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
      };
      if (res.statusCode >= 500) logger.error(entry, 'request failed');
      else if (res.statusCode >= 400) logger.info(entry, 'request refused');
      else logger.debug(entry, 'request');
    });
    next();
  };
}

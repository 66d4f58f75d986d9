import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { STELLA_LOGGER } from '../tokens';
import { toProblem } from './problem-mapping';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every error answered over HTTP is RFC 9457 `application/problem+json`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(STELLA_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const { problem, headers } = toProblem(error, req.originalUrl ?? req.url);
    if (!(error instanceof HttpException) || problem.status >= 500) {
      this.logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    res.send(Buffer.from(JSON.stringify(problem)));
  }
}

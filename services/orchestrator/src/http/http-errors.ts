import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ProblemError } from '@stella/platform';
import type { Response } from 'express';
import { catchError, type Observable } from 'rxjs';
import { OrchestratorError, problemSlug, type SerializedError } from '../common/errors';
import type { Outcome } from '../persistence/unit-of-work';

/** An orchestrator refusal as problem+json: `code`, the message as `detail`, and its facts as members. */
export function toProblemError(error: OrchestratorError): ProblemError {
  return new ProblemError(
    error.httpStatus,
    { type: problemSlug(error.code), title: error.title, detail: error.message, code: error.code, ...error.details },
    { cause: error },
  );
}

/** Maps OrchestratorErrors thrown by use cases to problem+json (the edge is the only place that knows HTTP). */
@Injectable()
export class OrchestratorErrorsInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        throw error instanceof OrchestratorError ? toProblemError(error) : error;
      }),
    );
  }
}

/**
 * Answers a use case's outcome: the value with `status`, or the committed refusal as a problem.
 * A replayed idempotent answer says so in `Idempotent-Replayed: true`.
 */
export function respond<T>(res: Response, result: { outcome: Outcome<T>; replayed: boolean }, status: number): T {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  if (!result.outcome.ok) throw toProblemError(OrchestratorError.fromJSON(result.outcome.error as SerializedError));
  res.status(status);
  return result.outcome.value;
}

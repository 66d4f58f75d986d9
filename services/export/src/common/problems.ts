import { ProblemError } from '@stella/platform';
import { exportErrorStatus, isExportError } from './export-error';

const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** Maps a refusal to problem+json; unknown errors propagate to the platform filter (500). */
export function toHttpProblem(error: unknown): unknown {
  if (!isExportError(error)) return error;
  return new ProblemError(
    exportErrorStatus(error.code),
    { type: slug(error.code), title: error.message, code: error.code, ...error.details },
    { cause: error },
  );
}

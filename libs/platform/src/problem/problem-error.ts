import { HttpException } from '@nestjs/common';

/** RFC 9457 problem details, as rendered by the platform. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export interface ProblemInit {
  /** Short slug, e.g. `invalid-credentials`; rendered as `urn:stella:problem:<slug>`. */
  type: string;
  title: string;
  detail?: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_PREFIX = 'urn:stella:problem:';

export function problemType(slug: string): string {
  return slug.includes(':') ? slug : `${PROBLEM_TYPE_PREFIX}${slug}`;
}

/** Throw from any controller, guard, pipe or use case to answer with a specific problem. */
export class ProblemError extends HttpException {
  constructor(
    status: number,
    readonly problem: ProblemInit,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super({ ...problem, type: problemType(problem.type), status }, status, { cause: options?.cause });
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ProblemDetails, ProblemError, problemType } from './problem-error';

const SLUG_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  429: 'too-many-requests',
  500: 'internal-error',
  503: 'service-unavailable',
};

export function slugForStatus(status: number): string {
  return SLUG_BY_STATUS[status] ?? (status >= 500 ? 'internal-error' : 'http-error');
}

/**
 * Turns anything thrown into RFC 9457 problem details plus extra response headers.
 * Internal errors never leak their message: the detail is generic and the log has the rest.
 */
export function toProblem(
  error: unknown,
  instance: string,
): { problem: ProblemDetails; headers: Record<string, string> } {
  if (error instanceof ProblemError) {
    const body = error.getResponse() as ProblemDetails;
    return { problem: { ...body, instance }, headers: error.headers };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const problem: ProblemDetails = {
      type: problemType(slugForStatus(status)),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      instance,
    };
    if (typeof response === 'string') {
      problem.detail = response;
    } else if (response && typeof response === 'object') {
      const r = response as Record<string, unknown>;
      const message = r.message;
      if (typeof message === 'string' && message !== problem.title) problem.detail = message;
      else if (Array.isArray(message)) problem.detail = message.join('; ');
      const headers = (error as { headers?: Record<string, string> }).headers ?? {};
      return { problem, headers };
    }
    return { problem, headers: {} };
  }
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    problem: {
      type: problemType('internal-error'),
      title: 'Internal Server Error',
      status,
      detail: 'The server failed to handle the request; the error has been logged.',
      instance,
    },
    headers: {},
  };
}

import { ProblemError } from '@stella/platform';

export const SHA256 = /^sha256:[a-f0-9]{64}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ENVIRONMENT = /^[a-z][a-z0-9-]{0,62}$/;
export const POLICY_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export function checkParam(value: string, pattern: RegExp, field: string): string {
  if (!pattern.test(value))
    throw new ProblemError(400, {
      type: 'invalid-parameter',
      title: 'Invalid parameter',
      detail: `${field} is malformed`,
      field,
    });
  return value;
}

export function notFound(type: string, title: string, detail: string): ProblemError {
  return new ProblemError(404, { type, title, detail });
}

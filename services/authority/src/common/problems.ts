import { ProblemError } from '@stella/platform';

/** The admin API's refusals, as problem+json. */
export const problems = {
  notFound: (what: string, id: string) =>
    new ProblemError(404, {
      type: 'not-found',
      title: `${what} not found`,
      detail: `${what} ${id} does not exist in this tenant`,
    }),
  conflict: (detail: string) => new ProblemError(409, { type: 'conflict', title: 'Conflict', detail }),
  unknownScopes: (scopes: readonly string[]) =>
    new ProblemError(400, {
      type: 'unknown-scopes',
      title: 'Scopes not grantable',
      detail: `not grantable in this tenant: ${scopes.join(' ')}`,
      scopes,
    }),
  unknownRole: (role: string) =>
    new ProblemError(400, {
      type: 'unknown-role',
      title: 'Unknown role',
      detail: `role ${role} does not exist here`,
    }),
};

/** Postgres unique_violation, to turn a race on a unique key into 409 instead of 500. */
export function isUniqueViolation(error: unknown): boolean {
  const code =
    (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return code === '23505';
}

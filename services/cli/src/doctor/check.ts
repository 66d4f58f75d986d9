export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warning or failure. */
  fix?: string;
}

export function pass(name: string, detail: string): DoctorCheckResult {
  return { name, status: 'pass', detail };
}
export function warn(name: string, detail: string, fix: string): DoctorCheckResult {
  return { name, status: 'warn', detail, fix };
}
export function fail(name: string, detail: string, fix: string): DoctorCheckResult {
  return { name, status: 'fail', detail, fix };
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  const e = error as { code?: string; message?: string };
  return e.message || e.code || String(error);
}

/** Clock skew beyond this breaks short-lived tokens and freeze windows. */
export const MAX_CLOCK_SKEW_MS = 2000;

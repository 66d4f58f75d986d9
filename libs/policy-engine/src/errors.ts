import type { PolicyErrorCode, PolicyProblem } from './types';

/** The one error the policy library throws; `problems` names every offending path. */
export class PolicyError<C extends PolicyErrorCode = PolicyErrorCode> extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly code: C,
    message: string,
    readonly problems: readonly PolicyProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isPolicyError(value: unknown): value is PolicyError {
  return value instanceof PolicyError;
}

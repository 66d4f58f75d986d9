/** Why the gates library refused something (mapped to problem+json / exit codes at the edge). */
export type GatesErrorCode =
  | 'DUPLICATE_GATE'
  | 'INVALID_DECISION_INPUTS'
  | 'UNKNOWN_GATE_VERSION'
  | 'NOT_A_DECISION';

export class GatesError extends Error {
  override readonly name = 'GatesError';

  constructor(
    readonly code: GatesErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isGatesError(error: unknown): error is GatesError {
  return error instanceof GatesError;
}

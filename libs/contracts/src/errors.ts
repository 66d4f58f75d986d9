/** Machine-readable reasons a CloudEvent is rejected or cannot be built. */
export type ContractErrorCode =
  | 'INVALID_ENVELOPE'
  | 'UNKNOWN_EVENT_TYPE'
  | 'UNSUPPORTED_EVENT_VERSION'
  | 'INVALID_EVENT_DATA'
  | 'INVALID_EVENT_JSON'
  | 'INVALID_SUBJECT_PREFIX';

export interface ContractIssue {
  path: string;
  message: string;
}

export class ContractError extends Error {
  override readonly name = 'ContractError';

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    readonly issues: readonly ContractIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ContractErrorCode; message: string; issues: readonly ContractIssue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

export function isContractError(value: unknown): value is ContractError {
  return value instanceof ContractError;
}

/** Why an archive was refused before any check ran (mapped to exit codes / problem+json at the edge). */
export type EvidenceErrorCode =
  | 'ARCHIVE_TOO_LARGE'
  | 'ARCHIVE_TRUNCATED'
  | 'ARCHIVE_MALFORMED'
  | 'ENTRY_UNSAFE'
  | 'ENTRY_TOO_LARGE'
  | 'TOO_MANY_ENTRIES'
  | 'DUPLICATE_ENTRY'
  | 'NOT_A_PACKET'
  /** A decision's policy gate references bodies that were not given, or not the recorded ones. */
  | 'POLICY_BODIES_MISSING'
  | 'POLICY_BODIES_MISMATCH';

export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';

  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isEvidenceError(error: unknown): error is EvidenceError {
  return error instanceof EvidenceError;
}

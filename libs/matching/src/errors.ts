/** Machine-readable reasons a document, record, SBOM or archive is refused. */
export type MatchingErrorCode =
  | 'MALFORMED_JSON'
  | 'SCHEMA_VIOLATION'
  | 'UNKNOWN_ECOSYSTEM'
  | 'INVALID_VERSION'
  | 'DOCUMENT_TOO_LARGE'
  | 'UNKNOWN_FORMAT'
  | 'UNSAFE_ARCHIVE'
  | 'INVALID_PURL'
  | 'INVALID_SBOM'
  | 'DIGEST_MISMATCH'
  | 'UNREADABLE_FILE';

export class MatchingError<C extends MatchingErrorCode = MatchingErrorCode> extends Error {
  override readonly name = 'MatchingError';

  constructor(
    readonly code: C,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: C; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isMatchingError(value: unknown, code?: MatchingErrorCode): value is MatchingError {
  return value instanceof MatchingError && (code === undefined || value.code === code);
}

/**
 * One problem with one record of an import. `error`: the record was refused (the rest of the
 * batch goes on); `warning`: part of the record (e.g. one affected entry) was left out.
 */
export interface RecordIssue {
  readonly level: 'error' | 'warning';
  readonly code: MatchingErrorCode;
  /** The file, archive entry or upload the record came from. */
  readonly document: string;
  /** Record id when known, else its position (`line 12`, `vulnerabilities[3]`). */
  readonly record?: string;
  /** JSON path of the offending field, e.g. `affected[2].package.ecosystem`. */
  readonly field?: string;
  readonly message: string;
}

/**
 * Every failure this library raises is a VersioningError carrying one of these codes,
 * so callers branch on `code` and map it to problem+json / gRPC status at their edge.
 */
export type VersioningErrorCode =
  /** Input refused before any parsing: wrong type, too long, control characters. */
  | 'INVALID_INPUT'
  /** The ecosystem name is not one this library knows how to order. */
  | 'UNKNOWN_ECOSYSTEM'
  /** The purl type has no ecosystem mapping. */
  | 'UNKNOWN_PURL_TYPE'
  /** The string is not a valid version in the requested ecosystem. */
  | 'INVALID_VERSION'
  /** The range expression is not valid in the requested ecosystem's native syntax. */
  | 'INVALID_RANGE'
  /** The OSV `affected` object does not match the OSV schema. */
  | 'INVALID_OSV_AFFECTED'
  /** Two parsed versions from different schemes were compared. */
  | 'SCHEME_MISMATCH';

export class VersioningError<C extends VersioningErrorCode = VersioningErrorCode> extends Error {
  override readonly name = 'VersioningError';

  constructor(
    readonly code: C,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: C; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isVersioningError<C extends VersioningErrorCode>(
  value: unknown,
  code?: C,
): value is VersioningError<C> {
  return value instanceof VersioningError && (code === undefined || value.code === code);
}

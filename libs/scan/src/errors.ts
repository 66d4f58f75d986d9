/**
 * Every refusal and failure of the scanner, as one typed union. Callers map codes to their edge
 * (CLI exit message, problem+json, NATS dead-letter reason); `details` carries the offending path,
 * layer digest, limit and observed value so that an operator can see what was refused and why.
 */
export type ScanErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SOURCE'
  | 'SOURCE_NOT_FOUND'
  | 'PLATFORM_NOT_FOUND'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'DIGEST_MISMATCH'
  | 'CORRUPT_LAYER'
  | 'UNSAFE_PATH'
  | 'LINK_ESCAPE'
  | 'DEVICE_FILE'
  | 'DECOMPRESSION_BOMB'
  | 'TOO_LARGE'
  | 'TOO_MANY_ENTRIES'
  | 'REGISTRY_ERROR';

/** Codes that mean the image content itself was refused as unsafe (not an I/O problem). */
export const REFUSAL_CODES: readonly ScanErrorCode[] = [
  'UNSAFE_PATH',
  'LINK_ESCAPE',
  'DEVICE_FILE',
  'DECOMPRESSION_BOMB',
  'TOO_LARGE',
  'TOO_MANY_ENTRIES',
  'DIGEST_MISMATCH',
];

export class ScanError<C extends ScanErrorCode = ScanErrorCode> extends Error {
  override readonly name = 'ScanError';
  constructor(
    readonly code: C,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isScanError<C extends ScanErrorCode>(error: unknown, code?: C): error is ScanError<C> {
  return error instanceof ScanError && (code === undefined || error.code === code);
}

/** Machine-readable failure reasons of libs/bus. */
export type BusErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_STREAM_DEFINITION'
  | 'STREAM_CONFLICT'
  | 'PUBLISH_FAILED'
  | 'OUTBOX_REQUIRES_TRANSACTION'
  | 'CONSUMER_SETUP_FAILED'
  | 'DELIVERIES_EXHAUSTED';

export class BusError extends Error {
  override readonly name = 'BusError';

  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isBusError(value: unknown): value is BusError {
  return value instanceof BusError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** JetStream API error code (e.g. 10059 stream not found, 10014 consumer not found). */
export function jetStreamErrorCode(error: unknown): number | undefined {
  const apiError = (error as { api_error?: { err_code?: unknown } } | null)?.api_error;
  return typeof apiError?.err_code === 'number' ? apiError.err_code : undefined;
}

export const JS_STREAM_NOT_FOUND = 10059;
export const JS_CONSUMER_NOT_FOUND = 10014;

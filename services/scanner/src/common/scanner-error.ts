import { ProblemError } from '@stella/platform';

export type ScannerErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_IDEMPOTENCY_KEY'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IMAGE_NOT_FOUND'
  | 'REGISTRY_UNAVAILABLE'
  | 'SCAN_NOT_FOUND'
  | 'SBOM_NOT_FOUND'
  | 'INVALID_PURL'
  | 'INVALID_RANGE';

const STATUS: Record<ScannerErrorCode, number> = {
  INVALID_REQUEST: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IMAGE_NOT_FOUND: 404,
  REGISTRY_UNAVAILABLE: 502,
  SCAN_NOT_FOUND: 404,
  SBOM_NOT_FOUND: 404,
  INVALID_PURL: 400,
  INVALID_RANGE: 400,
};

/** The scanner's one error type; mapped to problem+json, gRPC status and NATS replies at the edges only. */
export class ScannerError extends Error {
  constructor(
    readonly code: ScannerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ScannerError';
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function isScannerError(error: unknown): error is ScannerError {
  return error instanceof ScannerError;
}

/** RFC 9457 problem for HTTP. */
export function toProblem(error: ScannerError): ProblemError {
  return new ProblemError(error.status, {
    ...error.details,
    type: error.code.toLowerCase().replace(/_/g, '-'),
    title: error.code.charAt(0) + error.code.slice(1).toLowerCase().replace(/_/g, ' '),
    detail: error.message,
  });
}

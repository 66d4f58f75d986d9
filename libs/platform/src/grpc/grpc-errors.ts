import * as grpc from '@grpc/grpc-js';

/** The gRPC status for the HTTP status a service error carries (what problem+json would answer). */
const BY_HTTP_STATUS: Readonly<Record<number, grpc.status>> = {
  400: grpc.status.INVALID_ARGUMENT,
  401: grpc.status.UNAUTHENTICATED,
  403: grpc.status.PERMISSION_DENIED,
  404: grpc.status.NOT_FOUND,
  409: grpc.status.ABORTED,
  412: grpc.status.FAILED_PRECONDITION,
  413: grpc.status.RESOURCE_EXHAUSTED,
  422: grpc.status.FAILED_PRECONDITION,
  429: grpc.status.RESOURCE_EXHAUSTED,
  502: grpc.status.UNAVAILABLE,
  503: grpc.status.UNAVAILABLE,
  504: grpc.status.DEADLINE_EXCEEDED,
};

export function grpcStatusOfHttp(status: number): grpc.status {
  return BY_HTTP_STATUS[status] ?? grpc.status.UNKNOWN;
}

/**
 * A gRPC error for a known failure: the status, the message, and the service's error code in the
 * `stella-error-code` metadata (its details, when given, as JSON in `stella-error-details-bin`).
 */
export function grpcServiceError(
  status: grpc.status,
  errorCode: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  metadata.set('stella-error-code', errorCode);
  if (details !== undefined) metadata.set('stella-error-details-bin', Buffer.from(JSON.stringify(details), 'utf8'));
  return { code: status, details: message, metadata };
}

/** The answer for an unexpected failure (logged by the caller, never described to the client). */
export function grpcInternalError(): Partial<grpc.ServiceError> {
  return { code: grpc.status.INTERNAL, details: 'internal error; it has been logged', metadata: new grpc.Metadata() };
}

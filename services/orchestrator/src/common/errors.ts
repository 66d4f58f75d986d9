/**
 * Every way the orchestrator refuses a request. Codes are stable and machine-readable: they are
 * the `code` of problem+json bodies, the `stella-error-code` gRPC trailer, and stored in
 * idempotent responses. The HTTP status and gRPC status of each code live here, in one place.
 */
const CATALOGUE = {
  VALIDATION_FAILED: { http: 400, grpc: 'INVALID_ARGUMENT', title: 'Request validation failed' },
  INVALID_IDEMPOTENCY_KEY: { http: 400, grpc: 'INVALID_ARGUMENT', title: 'Invalid Idempotency-Key' },
  IDEMPOTENCY_KEY_REUSED: {
    http: 422,
    grpc: 'INVALID_ARGUMENT',
    title: 'Idempotency-Key reused with a different request',
  },
  ENVIRONMENT_NOT_FOUND: { http: 404, grpc: 'NOT_FOUND', title: 'Environment not found' },
  RELEASE_NOT_FOUND: { http: 404, grpc: 'NOT_FOUND', title: 'Release not found' },
  PROMOTION_NOT_FOUND: { http: 404, grpc: 'NOT_FOUND', title: 'Promotion not found' },
  COMPONENT_NOT_FOUND: { http: 404, grpc: 'NOT_FOUND', title: 'Component not found' },
  DECISION_NOT_FOUND: { http: 404, grpc: 'NOT_FOUND', title: 'Decision record not found' },
  ENVIRONMENT_EXISTS: { http: 409, grpc: 'ALREADY_EXISTS', title: 'Environment already exists' },
  COMPONENT_EXISTS: { http: 409, grpc: 'ALREADY_EXISTS', title: 'Component already exists' },
  RELEASE_VERSION_EXISTS: { http: 409, grpc: 'ALREADY_EXISTS', title: 'Release version already exists' },
  COMPONENT_REPOSITORY_MISMATCH: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    title: 'Component is bound to another repository',
  },
  INVALID_PROMOTION_PATH: { http: 422, grpc: 'INVALID_ARGUMENT', title: 'Invalid promotion path' },
  TAG_NOT_FOUND: { http: 422, grpc: 'FAILED_PRECONDITION', title: 'Image tag not found' },
  REPOSITORY_NOT_FOUND: { http: 422, grpc: 'FAILED_PRECONDITION', title: 'Image repository not found' },
  MANIFEST_NOT_FOUND: { http: 422, grpc: 'FAILED_PRECONDITION', title: 'Image digest not found' },
  TAG_DIGEST_MISMATCH: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    title: 'Tag does not point to the pinned digest',
  },
  IMAGE_UNSUPPORTED: { http: 422, grpc: 'FAILED_PRECONDITION', title: 'Unsupported image manifest' },
  INVALID_IMAGE_REFERENCE: { http: 422, grpc: 'INVALID_ARGUMENT', title: 'Invalid image reference' },
  REGISTRY_DIGEST_MISMATCH: {
    http: 502,
    grpc: 'DATA_LOSS',
    title: 'Registry content does not match its digest (tamper signal)',
  },
  REGISTRY_ACCESS_DENIED: { http: 502, grpc: 'FAILED_PRECONDITION', title: 'Registry refused access' },
  REGISTRY_PROTOCOL_ERROR: { http: 502, grpc: 'UNAVAILABLE', title: 'Registry answered incorrectly' },
  REGISTRY_UNAVAILABLE: { http: 503, grpc: 'UNAVAILABLE', title: 'Registry unavailable' },
  PROMOTION_ALREADY_ACTIVE: {
    http: 409,
    grpc: 'ALREADY_EXISTS',
    title: 'This release already has an open promotion into the environment',
  },
  PROMOTION_SKIPS_ENVIRONMENT: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    title: 'Promotion skips an environment of the path',
  },
  ENVIRONMENT_FROZEN: { http: 409, grpc: 'FAILED_PRECONDITION', title: 'Environment is frozen' },
  PROMOTION_DENIED: { http: 409, grpc: 'FAILED_PRECONDITION', title: 'Promotion denied by a gate' },
  INVALID_STATE: { http: 409, grpc: 'FAILED_PRECONDITION', title: 'Not allowed in the current state' },
  NOTHING_TO_ROLL_BACK: { http: 409, grpc: 'FAILED_PRECONDITION', title: 'No earlier release to roll back to' },
  DUPLICATE_APPROVAL: { http: 409, grpc: 'ALREADY_EXISTS', title: 'Already approved by this identity' },
  SEPARATION_OF_DUTIES: {
    http: 403,
    grpc: 'PERMISSION_DENIED',
    title: 'Separation of duties: this identity may not approve',
  },
  APPROVER_NOT_ALLOWED: {
    http: 403,
    grpc: 'PERMISSION_DENIED',
    title: 'Approver lacks a role the environment requires',
  },
  BREAK_GLASS_SCOPE_REQUIRED: {
    http: 403,
    grpc: 'PERMISSION_DENIED',
    title: 'Break-glass needs the release:break-glass scope',
  },
  INTAKE_UNAUTHORIZED: { http: 401, grpc: 'UNAUTHENTICATED', title: 'Notification not authenticated' },
} as const satisfies Record<string, { http: number; grpc: GrpcStatusName; title: string }>;

export type GrpcStatusName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE'
  | 'DATA_LOSS';

export type OrchestratorErrorCode = keyof typeof CATALOGUE;

export class OrchestratorError<C extends OrchestratorErrorCode = OrchestratorErrorCode> extends Error {
  override readonly name = 'OrchestratorError';

  constructor(
    readonly code: C,
    message: string,
    /** Machine-readable facts (tag, window, rule, promotionId...): problem+json extension members. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get httpStatus(): number {
    return CATALOGUE[this.code].http;
  }

  get grpcStatus(): GrpcStatusName {
    return CATALOGUE[this.code].grpc;
  }

  get title(): string {
    return CATALOGUE[this.code].title;
  }

  /** The form stored with idempotent responses and rebuilt by `fromJSON`. */
  toJSON(): SerializedError {
    return { code: this.code, message: this.message, details: this.details };
  }

  static fromJSON(value: SerializedError): OrchestratorError {
    return new OrchestratorError(value.code, value.message, value.details);
  }
}

export interface SerializedError {
  code: OrchestratorErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export function isOrchestratorError(value: unknown): value is OrchestratorError {
  return value instanceof OrchestratorError;
}

/** `TAG_NOT_FOUND` -> `tag-not-found` (problem type `urn:stella:problem:tag-not-found`). */
export function problemSlug(code: OrchestratorErrorCode): string {
  return code.toLowerCase().replace(/_/g, '-');
}

export function errorCatalogue(): ReadonlyArray<{ code: OrchestratorErrorCode; http: number; grpc: GrpcStatusName; title: string }> {
  return Object.entries(CATALOGUE).map(([code, entry]) => ({ code: code as OrchestratorErrorCode, ...entry }));
}

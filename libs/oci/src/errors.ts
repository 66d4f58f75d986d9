/** Every failure of the OCI client carries one of these codes, so callers branch on data, not on messages. */
export type OciErrorCode =
  | 'INVALID_REFERENCE'
  | 'NOT_FOUND'
  | 'MANIFEST_UNKNOWN'
  | 'TAG_UNKNOWN'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'DIGEST_MISMATCH'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'REGISTRY_UNAVAILABLE'
  | 'INSECURE_TRANSPORT_REFUSED'
  | 'TOO_LARGE'
  | 'PROTOCOL_ERROR'
  | 'INVALID_ARGUMENT';

/** One entry of the Distribution spec error body: `{"errors":[{"code","message","detail"}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

export interface OciErrorOptions {
  /** HTTP status of the registry response that caused the error, when there was one. */
  status?: number;
  /** Errors the registry reported in its body. */
  registryErrors?: RegistryErrorEntry[];
  /** Structured context (registry, repository, tag, digest, url...). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class OciError<C extends OciErrorCode = OciErrorCode> extends Error {
  override readonly name = 'OciError';
  readonly code: C;
  /**
   * True when content did not hash to the digest it was addressed by: the registry,
   * its storage or something on the path served bytes other than the ones named.
   */
  readonly tamper: boolean;
  readonly status: number | undefined;
  readonly registryErrors: RegistryErrorEntry[];
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, options: OciErrorOptions & { tamper?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.tamper = options.tamper ?? false;
    this.status = options.status;
    this.registryErrors = options.registryErrors ?? [];
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      tamper: this.tamper,
      ...(this.status === undefined ? {} : { status: this.status }),
      registryErrors: this.registryErrors,
      details: this.details,
    };
  }
}

export function isOciError<C extends OciErrorCode>(error: unknown, code?: C): error is OciError<C> {
  return error instanceof OciError && (code === undefined || error.code === code);
}

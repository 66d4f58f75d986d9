/**
 * Every failure of this library is a `TlogError` with a code from this union, so the attestor,
 * the CLI and the offline verifier map them to problem+json / exit codes without parsing messages.
 */
export type TlogErrorCode =
  /** An index, size, hash or proof argument is outside what the operation accepts. */
  | 'INVALID_ARGUMENT'
  /** A leaf index or tree size lies beyond the tree the caller holds. */
  | 'OUT_OF_RANGE'
  /** The node store lacks a node the operation needs (the store is behind or corrupt). */
  | 'NODE_MISSING'
  /** An inclusion or consistency proof does not lead to the claimed root(s). */
  | 'PROOF_INVALID'
  /** A signed note is not in the signed-note format (or exceeds its limits). */
  | 'NOTE_MALFORMED'
  /** No signature of a trusted key verified, or one of them failed. */
  | 'NOTE_UNVERIFIED'
  /** A checkpoint's text is not a C2SP tlog checkpoint. */
  | 'CHECKPOINT_MALFORMED'
  /** A note key (verifier or signer key string, or key material) is malformed or unsupported. */
  | 'KEY_INVALID';

export class TlogError extends Error {
  override readonly name = 'TlogError';

  constructor(
    readonly code: TlogErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Machine-readable form (no stack, no cause) for logs and API error bodies. */
  toJSON(): { code: TlogErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isTlogError(value: unknown, code?: TlogErrorCode): value is TlogError {
  return value instanceof TlogError && (code === undefined || value.code === code);
}

/** Every refusal of the export service's use cases; mapped to problem+json at the HTTP edge only. */
export type ExportErrorCode =
  | 'PACKET_NOT_FOUND'
  | 'AUDIT_PACK_NOT_FOUND'
  | 'NO_DECISIONS'
  | 'AUDIT_PACK_TOO_LARGE'
  | 'DECISION_NOT_RECEIVED'
  | 'ATTESTOR_UNAVAILABLE'
  | 'SIGNER_UNAVAILABLE'
  | 'SIGNER_REFUSED'
  | 'STORE_UNAVAILABLE'
  | 'OBJECT_MISSING'
  /** The policy service did not give an evaluation's policy source or input (retried). */
  | 'POLICY_UNAVAILABLE'
  /** The policy service's bodies are not the ones the decision recorded (never packed; retried). */
  | 'POLICY_EVIDENCE_MISMATCH';

export class ExportError extends Error {
  override readonly name = 'ExportError';

  constructor(
    readonly code: ExportErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isExportError(value: unknown, code?: ExportErrorCode): value is ExportError {
  return value instanceof ExportError && (code === undefined || value.code === code);
}

const STATUS: Record<ExportErrorCode, number> = {
  PACKET_NOT_FOUND: 404,
  AUDIT_PACK_NOT_FOUND: 404,
  NO_DECISIONS: 422,
  AUDIT_PACK_TOO_LARGE: 413,
  DECISION_NOT_RECEIVED: 409,
  ATTESTOR_UNAVAILABLE: 503,
  SIGNER_UNAVAILABLE: 503,
  SIGNER_REFUSED: 502,
  STORE_UNAVAILABLE: 503,
  OBJECT_MISSING: 500,
  POLICY_UNAVAILABLE: 503,
  POLICY_EVIDENCE_MISMATCH: 502,
};

export function exportErrorStatus(code: ExportErrorCode): number {
  return STATUS[code];
}

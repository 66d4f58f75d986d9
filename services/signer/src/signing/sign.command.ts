import { z } from 'zod';
import { SignerError } from '../common/signer-error';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The wire form of a signing request (REST body and NATS request payload). */
export const signRequestSchema = z.strictObject({
  /** DSSE payloadType; the signature covers PAE(payloadType, payload), never raw bytes. */
  payloadType: z.string().min(1).max(256),
  /** Standard base64 of the payload. */
  payload: z.string().regex(BASE64, 'expected standard base64'),
  /** Why this is signed (recorded in the audit), e.g. `decision-record` or `sbom-attestation`. */
  purpose: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x20-\x7e]+$/, 'printable ASCII'),
  /** Sign with this key instead of the active one (it must still be the active one or the request fails). */
  keyId: z.string().min(1).max(128).optional(),
  /** Sigstore keyless: an ephemeral key certified by Fulcio, logged in Rekor (only when the signer enables it). */
  keyless: z.boolean().optional(),
});

export type SignRequest = z.infer<typeof signRequestSchema>;

/** Most requests one batch may carry; one token check and one audit group commit serve them all. */
export const MAX_BATCH_SIZE = 256;

export const signBatchRequestSchema = z.strictObject({
  requests: z.array(z.unknown()).min(1).max(MAX_BATCH_SIZE),
});

export interface SignCommand {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly purpose: string;
  readonly keyId?: string;
  readonly keyless?: boolean;
}

/** Validates a request into a command; invalid input never reaches the use case. */
export function toSignCommand(input: unknown, maxPayloadBytes: number): SignCommand {
  const parsed = signRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new SignerError('INVALID_REQUEST', 'invalid signing request', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  if (parsed.data.keyless === true && parsed.data.keyId !== undefined) {
    throw new SignerError('INVALID_REQUEST', 'a keyless request names no key', {
      issues: [{ path: 'keyId', message: 'not allowed with keyless' }],
    });
  }
  // Base64 length bounds the decoded size before decoding anything.
  if (Math.floor((parsed.data.payload.length * 3) / 4) > maxPayloadBytes + 2) {
    throw new SignerError('PAYLOAD_TOO_LARGE', `payload exceeds ${maxPayloadBytes} bytes`, {
      maxPayloadBytes,
    });
  }
  const payload = Buffer.from(parsed.data.payload, 'base64');
  if (payload.length > maxPayloadBytes) {
    throw new SignerError('PAYLOAD_TOO_LARGE', `payload exceeds ${maxPayloadBytes} bytes`, {
      maxPayloadBytes,
    });
  }
  return {
    payloadType: parsed.data.payloadType,
    payload,
    purpose: parsed.data.purpose,
    ...(parsed.data.keyId === undefined ? {} : { keyId: parsed.data.keyId }),
    ...(parsed.data.keyless === true ? { keyless: true } : {}),
  };
}

/** Validates a batch: every request must be valid, or none is signed. */
export function toSignCommands(input: unknown, maxPayloadBytes: number): SignCommand[] {
  const parsed = signBatchRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new SignerError('INVALID_REQUEST', 'invalid signing batch', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return parsed.data.requests.map((request, index) => {
    try {
      return toSignCommand(request, maxPayloadBytes);
    } catch (error) {
      if (error instanceof SignerError) {
        throw new SignerError(error.code, `requests[${index}]: ${error.message}`, {
          ...error.details,
          index,
        });
      }
      throw error;
    }
  });
}

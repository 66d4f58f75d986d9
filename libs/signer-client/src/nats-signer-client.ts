import type { DsseEnvelope } from '@stella/attest';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { z } from 'zod';

/** Where a caller gets `signer:sign` bearer tokens (ServiceTokenClient of @stella/auth in production). */
export interface TokenProvider {
  getToken(): Promise<string>;
  /** Called after the signer refused the token, so the next call fetches a fresh one. */
  invalidate?(): void;
}

export interface SignRequest {
  readonly payloadType: string;
  readonly payload: Buffer;
  /** Recorded in the signer's audit. */
  readonly purpose: string;
}

export interface SignedPayload {
  keyId: string;
  envelope: DsseEnvelope;
  certificateChain: string[];
  signedAt: string;
}

/** The signing port; NatsSignerClient below, fakes in tests. */
export interface SignerClient {
  sign(request: SignRequest): Promise<SignedPayload>;
}

export type SignerClientErrorCode = 'SIGNER_UNAVAILABLE' | 'SIGNER_REFUSED';

export class SignerClientError extends Error {
  override readonly name = 'SignerClientError';
  constructor(
    readonly code: SignerClientErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Builds the error thrown for a failure; callers pass their own error class so the codes stay theirs. */
export type SignerErrorFactory = (
  code: SignerClientErrorCode,
  message: string,
  details: Readonly<Record<string, unknown>>,
  options: { cause?: unknown },
) => Error;

export interface NatsSignerClientOptions {
  readonly nc: NatsConnection;
  /** The deployment's subject prefix: requests go to `<prefix>.signer.sign`. */
  readonly prefix: string;
  readonly tokens: TokenProvider;
  readonly timeoutMs: number;
  /** Defaults to SignerClientError. */
  readonly error?: SignerErrorFactory;
}

export const signerReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    result: z.object({
      keyId: z.string().min(1),
      envelope: z.object({
        payload: z.string(),
        payloadType: z.string(),
        signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })).min(1),
      }),
      certificateChain: z.array(z.string().min(1)).min(1),
      signedAt: z.string(),
    }),
  }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), status: z.number().optional() }),
  }),
]);

const defaultError: SignerErrorFactory = (code, message, details, options) =>
  new SignerClientError(code, message, details, options);

/** NATS request/reply to `<prefix>.signer.sign` with a bearer token header (the signer's wire protocol). */
export class NatsSignerClient implements SignerClient {
  private readonly error: SignerErrorFactory;

  constructor(private readonly options: NatsSignerClientOptions) {
    this.error = options.error ?? defaultError;
  }

  async sign(request: SignRequest): Promise<SignedPayload> {
    const { nc, prefix, tokens, timeoutMs } = this.options;
    const h = natsHeaders();
    h.set('Authorization', `Bearer ${await tokens.getToken()}`);
    let data: Uint8Array;
    try {
      const reply = await nc.request(
        `${prefix}.signer.sign`,
        Buffer.from(
          JSON.stringify({
            payloadType: request.payloadType,
            payload: request.payload.toString('base64'),
            purpose: request.purpose,
          }),
        ),
        { timeout: timeoutMs, headers: h },
      );
      data = reply.data;
    } catch (cause) {
      throw this.error('SIGNER_UNAVAILABLE', 'the signer did not answer', {}, { cause });
    }
    let parsed: z.infer<typeof signerReplySchema>;
    try {
      parsed = signerReplySchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
    } catch (cause) {
      throw this.error('SIGNER_REFUSED', 'the signer answered with an unreadable reply', {}, { cause });
    }
    if (!parsed.ok) {
      if (parsed.error.status === 401) tokens.invalidate?.();
      throw this.error(
        'SIGNER_REFUSED',
        `the signer refused: ${parsed.error.code}: ${parsed.error.message}`,
        { signerCode: parsed.error.code },
        {},
      );
    }
    return parsed.result;
  }
}

import type { DsseEnvelope } from '@stella/attest';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { z } from 'zod';
import { AttestorError } from '../common/attestor-error';

/** Where the attestor gets `signer:sign` bearer tokens (ServiceTokenClient in production). */
export interface TokenProvider {
  getToken(): Promise<string>;
  /** Called after the signer refused the token, so the next call fetches a fresh one. */
  invalidate?(): void;
}

export interface SignedPayload {
  keyId: string;
  envelope: DsseEnvelope;
  certificateChain: string[];
  signedAt: string;
}

/** The signing port of the attestor; the NATS implementation below, fakes in tests. */
export interface SignerClient {
  sign(request: { payloadType: string; payload: Buffer; purpose: string }): Promise<SignedPayload>;
}

const replySchema = z.discriminatedUnion('ok', [
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

/** NATS request/reply to `<prefix>.signer.sign` with a bearer token header (the signer's wire protocol). */
export class NatsSignerClient implements SignerClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly tokens: TokenProvider,
    private readonly timeoutMs: number,
  ) {}

  async sign(request: { payloadType: string; payload: Buffer; purpose: string }): Promise<SignedPayload> {
    const h = natsHeaders();
    h.set('Authorization', `Bearer ${await this.tokens.getToken()}`);
    let data: Uint8Array;
    try {
      const reply = await this.nc.request(
        `${this.prefix}.signer.sign`,
        Buffer.from(
          JSON.stringify({
            payloadType: request.payloadType,
            payload: request.payload.toString('base64'),
            purpose: request.purpose,
          }),
        ),
        { timeout: this.timeoutMs, headers: h },
      );
      data = reply.data;
    } catch (cause) {
      throw new AttestorError('SIGNER_UNAVAILABLE', 'the signer did not answer', {}, { cause });
    }
    let parsed: z.infer<typeof replySchema>;
    try {
      parsed = replySchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
    } catch (cause) {
      throw new AttestorError(
        'SIGNER_REFUSED',
        'the signer answered with an unreadable reply',
        {},
        { cause },
      );
    }
    if (!parsed.ok) {
      if (parsed.error.status === 401) this.tokens.invalidate?.();
      throw new AttestorError(
        'SIGNER_REFUSED',
        `the signer refused: ${parsed.error.code}: ${parsed.error.message}`,
        {
          signerCode: parsed.error.code,
        },
      );
    }
    return parsed.result;
  }
}

import type { DsseEnvelope } from '@stella/attest';
import type { ManifestSigner } from '@stella/evidence';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { z } from 'zod';
import { ExportError } from '../common/export-error';

/** Where the export service gets bearer tokens (ServiceTokenClient in production). */
export interface TokenProvider {
  getToken(): Promise<string>;
  invalidate?(): void;
}

/** Purpose recorded in the signer's audit for every manifest signature. */
export const MANIFEST_SIGNING_PURPOSE = 'evidence-manifest';

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

/** Signs packet and audit-pack manifests through the signer (NATS request/reply `<prefix>.signer.sign`). */
export class NatsManifestSigner implements ManifestSigner {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly tokens: TokenProvider,
    private readonly timeoutMs: number,
  ) {}

  async sign(payloadType: string, payload: Buffer): Promise<{ envelope: DsseEnvelope; certificateChain: readonly string[] }> {
    const h = natsHeaders();
    h.set('Authorization', `Bearer ${await this.tokens.getToken()}`);
    let data: Uint8Array;
    try {
      const reply = await this.nc.request(
        `${this.prefix}.signer.sign`,
        Buffer.from(JSON.stringify({ payloadType, payload: payload.toString('base64'), purpose: MANIFEST_SIGNING_PURPOSE })),
        { timeout: this.timeoutMs, headers: h },
      );
      data = reply.data;
    } catch (cause) {
      throw new ExportError('SIGNER_UNAVAILABLE', 'the signer did not answer', {}, { cause });
    }
    let parsed: z.infer<typeof replySchema>;
    try {
      parsed = replySchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
    } catch (cause) {
      throw new ExportError('SIGNER_REFUSED', 'the signer answered with an unreadable reply', {}, { cause });
    }
    if (!parsed.ok) {
      if (parsed.error.status === 401) this.tokens.invalidate?.();
      throw new ExportError('SIGNER_REFUSED', `the signer refused: ${parsed.error.code}: ${parsed.error.message}`, { signerCode: parsed.error.code });
    }
    return { envelope: parsed.result.envelope, certificateChain: parsed.result.certificateChain };
  }
}

import type { DsseEnvelope } from '@stella/attest';
import type { ManifestSigner } from '@stella/evidence';
import { NatsSignerClient, type TokenProvider } from '@stella/signer-client';
import type { NatsConnection } from 'nats';
import { ExportError } from '../common/export-error';

export type { TokenProvider } from '@stella/signer-client';

/** Purpose recorded in the signer's audit for every manifest signature. */
export const MANIFEST_SIGNING_PURPOSE = 'evidence-manifest';

/** Signs packet and audit-pack manifests through the signer (the shared client of @stella/signer-client). */
export class NatsManifestSigner implements ManifestSigner {
  private readonly client: NatsSignerClient;

  constructor(nc: NatsConnection, prefix: string, tokens: TokenProvider, timeoutMs: number) {
    this.client = new NatsSignerClient({
      nc,
      prefix,
      tokens,
      timeoutMs,
      error: (code, message, details, options) => new ExportError(code, message, details, options),
    });
  }

  async sign(payloadType: string, payload: Buffer): Promise<{ envelope: DsseEnvelope; certificateChain: readonly string[] }> {
    const signed = await this.client.sign({ payloadType, payload, purpose: MANIFEST_SIGNING_PURPOSE });
    return { envelope: signed.envelope, certificateChain: signed.certificateChain };
  }
}

import type { DsseEnvelope } from '@stella/attest';

/** Signs a manifest: DSSE over the bytes with MANIFEST_PAYLOAD_TYPE (the signer service in production). */
export interface ManifestSigner {
  sign(payloadType: string, payload: Buffer): Promise<{ envelope: DsseEnvelope; certificateChain: readonly string[] }>;
}

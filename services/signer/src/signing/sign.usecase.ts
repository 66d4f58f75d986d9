import { createHash, sign } from 'node:crypto';
import { preAuthEncoding, type DsseEnvelope } from '@stella/attest';
import type { Principal } from '@stella/auth';
import type { Clock } from '../common/clock';
import { SignerError } from '../common/signer-error';
import type { KeyRing } from '../keys/key-ring';
import type { SignerAlgorithm, UsableKey } from '../keys/signer-key';
import type { AuditWriter } from './audit-writer';
import type { SignCommand } from './sign.command';
import type { TokenBucketLimiter } from './rate-limiter';

export interface SignResult {
  keyId: string;
  algorithm: SignerAlgorithm;
  /** Base64 signature over PAE(payloadType, payload): DER for ECDSA, 64 bytes for Ed25519. */
  signature: string;
  /** The DSSE envelope with this one signature. */
  envelope: DsseEnvelope;
  /** PEM certificates: the signing key's, then the Stella root CA's. */
  certificateChain: [string, string];
  signedAt: string;
  auditId: string;
}

const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Signs a DSSE payload for an authenticated caller: rate limit, key checks, signature, audit. */
export class SignUseCase {
  constructor(
    private readonly keys: KeyRing,
    private readonly audit: AuditWriter,
    private readonly limiter: TokenBucketLimiter,
    private readonly clock: Clock,
  ) {}

  async execute(command: SignCommand, caller: Principal, transport: 'http' | 'nats'): Promise<SignResult> {
    const [result] = await this.executeBatch([command], caller, transport);
    return result!;
  }

  /** Signs several payloads for one caller: one rate-limit charge per signature, audited together. */
  async executeBatch(
    commands: readonly SignCommand[],
    caller: Principal,
    transport: 'http' | 'nats',
  ): Promise<SignResult[]> {
    const waitMs = this.limiter.take(caller.clientId, commands.length);
    if (waitMs > 0) {
      throw new SignerError('RATE_LIMITED', `client ${caller.clientId} exceeded its signing rate`, {
        retryAfterMs: waitMs,
      });
    }
    const keys = new Map<string | undefined, UsableKey>();
    for (const command of commands) {
      if (!keys.has(command.keyId)) keys.set(command.keyId, await this.keys.signingKey(command.keyId));
    }
    const signedAt = this.clock.now();
    const signed = commands.map((command) => {
      const key = keys.get(command.keyId)!;
      const pae = preAuthEncoding(command.payloadType, command.payload);
      return {
        command,
        key,
        signature: sign(key.record.algorithm === 'ed25519' ? null : 'sha256', pae, key.privateKey),
      };
    });
    // Nothing leaves the signer before its audit rows committed.
    const auditIds = await Promise.all(
      signed.map(({ command, key, signature }) =>
        this.audit.record({
          signedAt,
          keyId: key.record.keyId,
          algorithm: key.record.algorithm,
          tenantId: caller.tenant,
          clientId: caller.clientId,
          subject: caller.subject,
          purpose: command.purpose,
          payloadType: command.payloadType,
          payloadSha256: sha256Hex(command.payload),
          signatureSha256: sha256Hex(signature),
          transport,
        }),
      ),
    );
    return signed.map(({ command, key, signature }, i) => {
      const sig = signature.toString('base64');
      return {
        keyId: key.record.keyId,
        algorithm: key.record.algorithm,
        signature: sig,
        envelope: {
          payload: command.payload.toString('base64'),
          payloadType: command.payloadType,
          signatures: [{ keyid: key.record.keyId, sig }],
        },
        certificateChain: [key.certificateChain[0], key.certificateChain[1]],
        signedAt: signedAt.toISOString(),
        auditId: auditIds[i]!,
      };
    });
  }
}

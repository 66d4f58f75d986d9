import { createHash, sign } from 'node:crypto';
import { preAuthEncoding, type DsseEnvelope } from '@stella/attest';
import type { Principal } from '@stella/auth';
import type { Clock } from '../common/clock';
import { SignerError } from '../common/signer-error';
import type { KeyRing } from '../keys/key-ring';
import type { SignerAlgorithm, UsableKey } from '../keys/signer-key';
import type { SerializedBundle } from '@sigstore/bundle';
import type { KeylessSigner } from '../sigstore/keyless-signer';
import { keylessKeyId, type AuditWriter } from './audit-writer';
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

/** A Sigstore keyless signature: instead of (never beside) a Stella-key signature. */
export interface KeylessSignResult {
  keyless: true;
  /** `sigstore:<certificate SHA-256 prefix>`, as in the audit event. */
  keyId: string;
  algorithm: 'ecdsa-p256-sha256';
  signature: string;
  envelope: DsseEnvelope;
  /** Sigstore bundle v0.3: the envelope, the Fulcio certificate and (when uploaded) the Rekor entry. */
  bundle: SerializedBundle;
  certificatePem: string;
  /** The OIDC identity (email or subject) the certificate binds. */
  identity: string;
  rekorLogIndex: string | null;
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
    /** Present only when Sigstore keyless signing is enabled. */
    private readonly keyless?: KeylessSigner,
  ) {}

  async execute(
    command: SignCommand,
    caller: Principal,
    transport: 'http' | 'nats',
  ): Promise<SignResult | KeylessSignResult> {
    if (command.keyless) return this.executeKeyless(command, caller, transport);
    const [result] = await this.executeBatch([command], caller, transport);
    return result!;
  }

  /** Fulcio certificate for an ephemeral key, Rekor upload, then the audit; errors are never downgraded. */
  private async executeKeyless(
    command: SignCommand,
    caller: Principal,
    transport: 'http' | 'nats',
  ): Promise<KeylessSignResult> {
    if (!this.keyless) {
      throw new SignerError('SIGSTORE_DISABLED', 'Sigstore keyless signing is not enabled on this signer');
    }
    const waitMs = this.limiter.take(caller.clientId, 1);
    if (waitMs > 0) {
      throw new SignerError('RATE_LIMITED', `client ${caller.clientId} exceeded its signing rate`, {
        retryAfterMs: waitMs,
      });
    }
    const signed = await this.keyless.sign(command.payloadType, command.payload);
    const signedAt = this.clock.now();
    const auditId = await this.audit.recordKeyless({
      signedAt,
      tenantId: caller.tenant,
      clientId: caller.clientId,
      subject: caller.subject,
      purpose: command.purpose,
      payloadType: command.payloadType,
      payloadSha256: sha256Hex(command.payload),
      signatureSha256: sha256Hex(Buffer.from(signed.signature, 'base64')),
      certificateSha256: signed.certificateSha256,
      certificateIdentity: signed.identity,
      fulcioUrl: this.keyless.fulcioUrl,
      rekorUrl: signed.rekorLogIndex === null ? null : this.keyless.rekorUrl,
      rekorLogIndex: signed.rekorLogIndex,
      transport,
    });
    const keyId = keylessKeyId(signed.certificateSha256);
    return {
      keyless: true,
      keyId,
      algorithm: 'ecdsa-p256-sha256',
      signature: signed.signature,
      envelope: {
        payload: command.payload.toString('base64'),
        payloadType: command.payloadType,
        signatures: [{ keyid: '', sig: signed.signature }],
      },
      bundle: signed.bundle,
      certificatePem: signed.certificatePem,
      identity: signed.identity,
      rekorLogIndex: signed.rekorLogIndex,
      signedAt: signedAt.toISOString(),
      auditId,
    };
  }

  /** Signs several payloads for one caller: one rate-limit charge per signature, audited together. */
  async executeBatch(
    commands: readonly SignCommand[],
    caller: Principal,
    transport: 'http' | 'nats',
  ): Promise<SignResult[]> {
    const keylessIndex = commands.findIndex((command) => command.keyless);
    if (keylessIndex >= 0) {
      throw new SignerError('INVALID_REQUEST', `requests[${keylessIndex}]: keyless signing is not batched`, {
        index: keylessIndex,
      });
    }
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

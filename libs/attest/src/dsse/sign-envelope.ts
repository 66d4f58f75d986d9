import { encodeBase64 } from '../encoding/base64';
import { AttestError } from '../errors';
import { SIGNATURE_ALGORITHMS } from '../keys';
import { derToP1363, p1363ToDer, P1363_P256_SIGNATURE_BYTES } from './ecdsa-signature';
import { resolveLimits, type DsseEnvelope, type EnvelopeLimits } from './envelope';
import { preAuthEncoding } from './pae';
import type { Signer } from './signer';

export interface SignEnvelopeOptions {
  readonly limits?: Partial<EnvelopeLimits>;
}

/**
 * Signs PAE(payloadType, payload) with every signer and returns the JSON envelope (standard
 * base64, one signature per signer, in signer order). Refuses an envelope that its own
 * `decodeEnvelope` would refuse, so everything produced here can be read back.
 */
export async function signEnvelope(
  payload: Uint8Array,
  payloadType: string,
  signers: readonly Signer[],
  options: SignEnvelopeOptions = {},
): Promise<DsseEnvelope> {
  const limits = resolveLimits(options.limits);
  if (payloadType.length === 0) throw new AttestError('ENVELOPE_MALFORMED', 'payloadType must not be empty');
  if (Buffer.byteLength(payloadType, 'utf8') > limits.maxPayloadTypeBytes) {
    throw new AttestError(
      'ENVELOPE_TOO_LARGE',
      `payloadType longer than ${limits.maxPayloadTypeBytes} bytes`,
    );
  }
  if (payload.byteLength > limits.maxPayloadBytes) {
    throw new AttestError(
      'ENVELOPE_TOO_LARGE',
      `payload is ${payload.byteLength} bytes, limit is ${limits.maxPayloadBytes}`,
      {
        limit: limits.maxPayloadBytes,
        actual: payload.byteLength,
      },
    );
  }
  if (signers.length === 0) throw new AttestError('TRUST_CONFIG_INVALID', 'at least one signer is required');
  if (signers.length > limits.maxSignatures) {
    throw new AttestError(
      'ENVELOPE_TOO_LARGE',
      `${signers.length} signers, limit is ${limits.maxSignatures}`,
    );
  }
  const keyIds = new Set<string>();
  for (const signer of signers) {
    if (!SIGNATURE_ALGORITHMS.includes(signer.algorithm)) {
      throw new AttestError(
        'KEY_UNSUPPORTED',
        `signer ${signer.keyId} uses unsupported algorithm ${String(signer.algorithm)}`,
      );
    }
    if (signer.keyId.length > limits.maxKeyIdLength) {
      throw new AttestError('ENVELOPE_TOO_LARGE', `key id longer than ${limits.maxKeyIdLength}`);
    }
    if (keyIds.has(signer.keyId)) {
      throw new AttestError('TRUST_CONFIG_INVALID', `signer key id ${signer.keyId} appears twice`, {
        keyId: signer.keyId,
      });
    }
    keyIds.add(signer.keyId);
  }

  const pae = preAuthEncoding(payloadType, payload);
  const signatures = await Promise.all(
    signers.map(async (signer) => {
      let raw: Uint8Array;
      try {
        raw = await signer.sign(pae);
      } catch (cause) {
        if (cause instanceof AttestError && cause.code === 'SIGNER_FAILED') throw cause;
        throw new AttestError(
          'SIGNER_FAILED',
          `signer ${signer.keyId} failed`,
          { keyId: signer.keyId },
          { cause },
        );
      }
      const sig = normalizeSignature(signer, raw);
      if (sig.byteLength > limits.maxSignatureBytes) {
        throw new AttestError('SIGNER_FAILED', `signer ${signer.keyId} returned an oversized signature`, {
          keyId: signer.keyId,
        });
      }
      return { keyid: signer.keyId, sig: encodeBase64(sig) };
    }),
  );
  return { payload: encodeBase64(payload), payloadType, signatures };
}

/** Checks the signature's shape for its algorithm and converts P1363 ECDSA output to DER. */
function normalizeSignature(signer: Signer, raw: Uint8Array): Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.byteLength === 0) {
    throw new AttestError('SIGNER_FAILED', `signer ${signer.keyId} returned no signature`, {
      keyId: signer.keyId,
    });
  }
  if (signer.algorithm === 'ed25519') {
    if (raw.byteLength !== 64) {
      throw new AttestError(
        'SIGNER_FAILED',
        `signer ${signer.keyId} returned ${raw.byteLength} bytes, Ed25519 signatures are 64`,
        {
          keyId: signer.keyId,
        },
      );
    }
    return raw;
  }
  if (derToP1363(raw)) return raw;
  if (raw.byteLength === P1363_P256_SIGNATURE_BYTES) return p1363ToDer(raw);
  throw new AttestError(
    'SIGNER_FAILED',
    `signer ${signer.keyId} returned neither DER nor P1363 ECDSA P-256`,
    {
      keyId: signer.keyId,
    },
  );
}

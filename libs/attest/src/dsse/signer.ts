import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { AttestError } from '../errors';
import {
  algorithmOf,
  nodeDigestOf,
  publicKeyId,
  toPrivateKey,
  type PrivateKeyInput,
  type SignatureAlgorithm,
} from '../keys';

/**
 * Produces raw signatures over the bytes it is given (the DSSE PAE). Implemented locally by
 * `createKeySigner`, or by the signer service over a KMS/HSM/remote key: only this contract
 * matters to `signEnvelope`. ECDSA signers may return DER or IEEE P1363 (r||s); envelopes
 * always carry DER.
 */
export interface Signer {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface KeySignerOptions {
  /** Key id put into the envelope; defaults to `publicKeyId` of the matching public key. */
  readonly keyId?: string;
}

/** A Signer over an in-process Ed25519 or ECDSA P-256 private key. */
export function createKeySigner(privateKey: PrivateKeyInput, options: KeySignerOptions = {}): Signer {
  const key: KeyObject = toPrivateKey(privateKey);
  const algorithm = algorithmOf(key);
  const digest = nodeDigestOf(algorithm);
  const keyId = options.keyId ?? publicKeyId(key);
  // ECDSA output is pinned to DER; Ed25519 has a single encoding.
  const signingKey = algorithm === 'ed25519' ? key : { key, dsaEncoding: 'der' as const };
  return {
    keyId,
    algorithm,
    sign(data: Uint8Array): Promise<Uint8Array> {
      try {
        return Promise.resolve(cryptoSign(digest, data, signingKey));
      } catch (cause) {
        return Promise.reject(
          new AttestError('SIGNER_FAILED', `signing with key ${keyId} failed`, { keyId }, { cause }),
        );
      }
    },
  };
}

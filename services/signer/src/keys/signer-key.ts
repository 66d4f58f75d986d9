import type { KeyObject } from 'node:crypto';

export type SignerAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';
export type KeyStatus = 'active' | 'retired' | 'revoked';

/** A signing key as stored (without its private half). */
export interface SignerKeyRecord {
  keyId: string;
  algorithm: SignerAlgorithm;
  publicKeyPem: string;
  certificatePem: string;
  caId: string;
  notBefore: Date;
  notAfter: Date;
  status: KeyStatus;
  origin: 'generated' | 'imported';
  createdAt: Date;
  retiredAt: Date | null;
  revokedAt: Date | null;
  revocationReason: string | null;
}

export interface SealedKey {
  sealedPrivateKey: Buffer;
  kekId: string;
}

export interface CaRecord extends SealedKey {
  caId: string;
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
}

/** A key ready to sign with: its record, its private key and its certificate chain (leaf, root). */
export interface UsableKey {
  record: SignerKeyRecord;
  privateKey: KeyObject;
  certificateChain: readonly [string, string];
}

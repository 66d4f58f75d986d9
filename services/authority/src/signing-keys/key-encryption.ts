import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEK_FILE_NAME = 'authority-kek';

export class KeyEncryptionError extends Error {
  override readonly name = 'KeyEncryptionError';
  constructor(
    readonly code: 'KEK_INVALID' | 'KEK_MISMATCH' | 'UNSEAL_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * AES-256-GCM sealing of signing private keys with a key-encryption key (KEK). The kid is bound
 * as associated data, so a sealed key copied onto another row does not decrypt.
 */
export class KeyEncryption {
  /** Short public identifier of the KEK (a hash prefix), stored next to each sealed key. */
  readonly kekId: string;

  constructor(private readonly kek: Buffer) {
    if (kek.length !== 32) throw new KeyEncryptionError('KEK_INVALID', 'the KEK must be exactly 32 bytes');
    this.kekId = createHash('sha256')
      .update('stella-authority-kek-id')
      .update(kek)
      .digest('hex')
      .slice(0, 16);
  }

  seal(kid: string, plaintext: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv);
    cipher.setAAD(aad(kid));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  unseal(kid: string, sealed: Buffer, sealedWithKekId: string): Buffer {
    if (sealedWithKekId !== this.kekId) {
      throw new KeyEncryptionError(
        'KEK_MISMATCH',
        `signing key ${kid} was sealed with KEK ${sealedWithKekId} but the configured KEK is ${this.kekId}; ` +
          'set STELLA_AUTHORITY_KEK (or _FILE) to the KEK this database was created with',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.kek, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      decipher.setAAD(aad(kid));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new KeyEncryptionError('UNSEAL_FAILED', `signing key ${kid} cannot be decrypted (tampered?)`, {
        cause: error,
      });
    }
  }
}

function aad(kid: string): Buffer {
  return Buffer.from(`stella-authority-signing-key:${kid}`, 'utf8');
}

export function parseKek(base64: string): Buffer {
  const kek = Buffer.from(base64.trim(), 'base64');
  if (kek.length !== 32) {
    throw new KeyEncryptionError(
      'KEK_INVALID',
      'STELLA_AUTHORITY_KEK must be the base64 of exactly 32 bytes',
    );
  }
  return kek;
}

export interface ResolvedKek {
  kek: Buffer;
  /** Set when the KEK came from (or was generated into) the data directory. */
  generatedFile?: { path: string; created: boolean };
}

/**
 * The configured KEK, or the one in `<dataDir>/authority-kek`, generating it (0600) on first
 * start. A generated KEK suits a single node; replicas must share one configured KEK.
 */
export function resolveKek(configured: string | undefined, dataDir: string): ResolvedKek {
  if (configured !== undefined) return { kek: parseKek(configured) };
  const path = resolve(dataDir, KEK_FILE_NAME);
  if (existsSync(path))
    return { kek: parseKek(readFileSync(path, 'utf8')), generatedFile: { path, created: false } };
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const kek = randomBytes(32);
  // 'wx' fails if another process created it in between: then use theirs.
  try {
    writeFileSync(path, `${kek.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return { kek: parseKek(readFileSync(path, 'utf8')), generatedFile: { path, created: false } };
    }
    throw error;
  }
  chmodSync(path, 0o600);
  return { kek, generatedFile: { path, created: true } };
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignerError } from '../common/signer-error';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEK_FILE_NAME = 'signer-kek';

/**
 * AES-256-GCM sealing of private keys (signing keys and the root CA key) with the key-encryption
 * key. The key id is the associated data, so a sealed key moved to another row does not open.
 */
export class KeyEncryption {
  /** Public identifier of the KEK (hash prefix), stored with each sealed key to name the right KEK in errors. */
  readonly kekId: string;

  constructor(private readonly kek: Buffer) {
    if (kek.length !== 32)
      throw new SignerError('KEY_MATERIAL_INVALID', 'the signer KEK must be exactly 32 bytes');
    this.kekId = createHash('sha256').update('stella-signer-kek-id').update(kek).digest('hex').slice(0, 16);
  }

  seal(id: string, plaintext: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv);
    cipher.setAAD(Buffer.from(`stella-signer-key:${id}`, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  unseal(id: string, sealed: Buffer, sealedWithKekId: string): Buffer {
    if (sealedWithKekId !== this.kekId) {
      throw new SignerError(
        'KEK_MISMATCH',
        `key ${id} was sealed with KEK ${sealedWithKekId} but the configured KEK is ${this.kekId}; set STELLA_SIGNER_KEK (or _FILE) to the KEK this database was created with`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.kek, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      decipher.setAAD(Buffer.from(`stella-signer-key:${id}`, 'utf8'));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new SignerError(
        'KEY_MATERIAL_INVALID',
        `key ${id} cannot be decrypted (tampered?)`,
        {},
        { cause },
      );
    }
  }
}

function parseKek(base64: string): Buffer {
  const kek = Buffer.from(base64.trim(), 'base64');
  if (kek.length !== 32) {
    throw new SignerError('KEY_MATERIAL_INVALID', 'STELLA_SIGNER_KEK must be the base64 of exactly 32 bytes');
  }
  return kek;
}

/**
 * The configured KEK, or `<dataDir>/signer-kek`, generated (0600) on first start. A generated KEK
 * suits one node; replicas must share a configured one.
 */
export function resolveSignerKek(
  configured: string | undefined,
  dataDir: string,
): { kek: Buffer; file?: string } {
  if (configured !== undefined) return { kek: parseKek(configured) };
  const path = resolve(dataDir, KEK_FILE_NAME);
  if (existsSync(path)) return { kek: parseKek(readFileSync(path, 'utf8')), file: path };
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const kek = randomBytes(32);
  try {
    // 'wx': another process that created it first wins, and we use theirs.
    writeFileSync(path, `${kek.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { kek: parseKek(readFileSync(path, 'utf8')), file: path };
    throw error;
  }
  chmodSync(path, 0o600);
  return { kek, file: path };
}

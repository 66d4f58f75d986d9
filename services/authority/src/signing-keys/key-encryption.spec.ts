import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyEncryption, KeyEncryptionError, parseKek, resolveKek } from './key-encryption';

describe('KeyEncryption', () => {
  const encryption = new KeyEncryption(randomBytes(32));
  const secret = Buffer.from('private key bytes');

  it('round-trips and binds the kid', () => {
    const sealed = encryption.seal('kid-1', secret);
    expect(sealed.includes(secret)).toBe(false);
    expect(encryption.unseal('kid-1', sealed, encryption.kekId)).toEqual(secret);
    expect(() => encryption.unseal('kid-2', sealed, encryption.kekId)).toThrow(KeyEncryptionError);
  });

  it('detects tampering and a different KEK', () => {
    const sealed = encryption.seal('kid-1', secret);
    sealed[sealed.length - 1]! ^= 1;
    expect(() => encryption.unseal('kid-1', sealed, encryption.kekId)).toThrow(/cannot be decrypted/);
    const other = new KeyEncryption(randomBytes(32));
    expect(() => other.unseal('kid-1', encryption.seal('kid-1', secret), encryption.kekId)).toThrow(
      expect.objectContaining({ code: 'KEK_MISMATCH' }),
    );
  });

  it('accepts only 32-byte KEKs', () => {
    expect(() => parseKek(randomBytes(16).toString('base64'))).toThrow(
      expect.objectContaining({ code: 'KEK_INVALID' }),
    );
    expect(parseKek(`${randomBytes(32).toString('base64')}\n`)).toHaveLength(32);
  });
});

describe('resolveKek', () => {
  it('generates a 0600 KEK file once, then reads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kek-'));
    try {
      const first = resolveKek(undefined, join(dir, 'data'));
      expect(first.generatedFile?.created).toBe(true);
      expect(statSync(first.generatedFile!.path).mode & 0o777).toBe(0o600);
      const second = resolveKek(undefined, join(dir, 'data'));
      expect(second.generatedFile?.created).toBe(false);
      expect(second.kek).toEqual(first.kek);
      expect(readFileSync(first.generatedFile!.path, 'utf8').trim()).toBe(first.kek.toString('base64'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefers the configured KEK and writes nothing', () => {
    const configured = randomBytes(32);
    const resolved = resolveKek(configured.toString('base64'), '/nonexistent/never-created');
    expect(resolved.kek).toEqual(configured);
    expect(resolved.generatedFile).toBeUndefined();
  });
});

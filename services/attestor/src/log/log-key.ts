import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const LOG_KEY_FILE = 'attestor-log-key.pem';

/**
 * The Ed25519 key that signs checkpoints: configured (PKCS#8 PEM), or `<dataDir>/attestor-log-key.pem`,
 * generated (0600) on first start. Replicas must share a configured key.
 */
export function resolveLogKey(configured: string | undefined, dataDir: string): KeyObject {
  if (configured !== undefined) return createPrivateKey(configured);
  const path = resolve(dataDir, LOG_KEY_FILE);
  if (existsSync(path)) return createPrivateKey(readFileSync(path, 'utf8'));
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return createPrivateKey(readFileSync(path, 'utf8'));
    throw error;
  }
  chmodSync(path, 0o600);
  return createPrivateKey(pem);
}

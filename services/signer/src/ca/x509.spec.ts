import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainProblemsAt, issueCertificate } from './x509';

const day = 86_400_000;
const t0 = new Date('2026-01-01T00:00:00Z');
const root = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rootDn = { commonName: 'Stella Ops Root CA', organization: 'Stella Ops' };
const rootPem = issueCertificate({
  subject: rootDn,
  issuer: rootDn,
  subjectPublicKey: root.publicKey,
  issuerPrivateKey: root.privateKey,
  issuerPublicKey: root.publicKey,
  notBefore: t0,
  notAfter: new Date(t0.getTime() + 3650 * day),
  isCa: true,
});

function leafFor(keyType: 'ed25519' | 'p256', notAfter = new Date(t0.getTime() + 365 * day)) {
  const pair =
    keyType === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = issueCertificate({
    subject: { commonName: 'stella-signer', organization: 'Stella Ops' },
    issuer: rootDn,
    subjectPublicKey: pair.publicKey,
    issuerPrivateKey: root.privateKey,
    issuerPublicKey: root.publicKey,
    notBefore: t0,
    notAfter,
    isCa: false,
  });
  return { pair, pem };
}

describe('X.509 certificates of the Stella root CA', () => {
  test('the root is a self-signed CA that Node parses', () => {
    const cert = new X509Certificate(rootPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=Stella Ops Root CA');
    expect(cert.verify(root.publicKey)).toBe(true);
  });

  test.each(['ed25519', 'p256'] as const)(
    'a %s leaf chains to the root within its validity window',
    (type) => {
      const { pair, pem } = leafFor(type);
      const cert = new X509Certificate(pem);
      expect(cert.ca).toBe(false);
      expect(cert.publicKey.asymmetricKeyType).toBe(type === 'ed25519' ? 'ed25519' : 'ec');
      expect(chainProblemsAt(pem, rootPem, new Date(t0.getTime() + day), pair.publicKey)).toEqual([]);
      expect(chainProblemsAt(pem, rootPem, new Date(t0.getTime() + 400 * day))).toEqual(['EXPIRED']);
      expect(chainProblemsAt(pem, rootPem, new Date(t0.getTime() - day))).toContain('NOT_YET_VALID');
      expect(chainProblemsAt(pem, rootPem, new Date(t0.getTime() + day), root.publicKey)).toEqual([
        'KEY_MISMATCH',
      ]);
    },
  );

  test('a leaf of another CA does not chain', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { pair } = leafFor('ed25519');
    const pem = issueCertificate({
      subject: { commonName: 'impostor', organization: 'Stella Ops' },
      issuer: rootDn,
      subjectPublicKey: pair.publicKey,
      issuerPrivateKey: other.privateKey,
      issuerPublicKey: root.publicKey,
      notBefore: t0,
      notAfter: new Date(t0.getTime() + day * 10),
      isCa: false,
    });
    expect(chainProblemsAt(pem, rootPem, new Date(t0.getTime() + day))).toContain('SIGNATURE_INVALID');
  });

  test('OpenSSL verifies the chain independently (when the openssl CLI is present)', () => {
    let version: string;
    try {
      version = execFileSync('openssl', ['version'], { encoding: 'utf8' });
    } catch {
      if (process.env.CI) throw new Error('openssl is required in CI');
      return;
    }
    expect(version).toMatch(/OpenSSL/);
    const dir = mkdtempSync(join(tmpdir(), 'stella-x509-'));
    try {
      const { pem } = leafFor('ed25519', new Date(Date.now() + 10 * day));
      writeFileSync(join(dir, 'root.pem'), rootPem);
      writeFileSync(join(dir, 'leaf.pem'), pem);
      const out = execFileSync(
        'openssl',
        [
          'verify',
          '-CAfile',
          join(dir, 'root.pem'),
          '-purpose',
          'any',
          '-attime',
          String(Math.floor((t0.getTime() + day) / 1000)),
          join(dir, 'leaf.pem'),
        ],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toMatch(/leaf\.pem: OK$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

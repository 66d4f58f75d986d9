import { generateKeyPairSync } from 'node:crypto';
import { issuerInputSchema, keyFingerprint, parsePublicKeyPem, toIssuer } from './issuer-input';

const pem = (key: { publicKey: import('node:crypto').KeyObject }) =>
  String(key.publicKey.export({ type: 'spki', format: 'pem' }));

describe('issuer input', () => {
  const ed = generateKeyPairSync('ed25519');
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('accepts Ed25519 and ECDSA P-256 public keys and fills defaults', () => {
    const parsed = issuerInputSchema.parse({
      trust: 90,
      publicKeys: [{ keyId: 'a', publicKeyPem: pem(ed) }, { publicKeyPem: pem(p256) }],
    });
    expect(parsed).toMatchObject({ trust: 90, authors: [], requireSignature: false });
    const issuer = toIssuer('vendor', parsed);
    expect(issuer.id).toBe('vendor');
    expect(issuer.publicKeys[0]).toEqual({ keyId: 'a', publicKeyPem: pem(ed) });
    expect(keyFingerprint(issuer.publicKeys[0]!.publicKeyPem)).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it('refuses a PEM that does not parse, naming the key', () => {
    const result = issuerInputSchema.safeParse({
      trust: 50,
      publicKeys: [{ publicKeyPem: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----' }],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['publicKeys', 0, 'publicKeyPem'] });
    expect(result.error!.issues[0]!.message).toMatch(/publicKeys\[0\] is not a PEM public key/);
  });

  it('refuses private keys, unsupported curves and short RSA keys', () => {
    const priv = String(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(parsePublicKeyPem(priv)).toEqual({ error: expect.stringMatching(/private key/) });
    const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(parsePublicKeyPem(pem(k256))).toEqual({ error: expect.stringMatching(/secp256k1/) });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(parsePublicKeyPem(pem(rsa))).toEqual({ error: expect.stringMatching(/2048/) });
  });

  it('refuses duplicate key ids and authors, unknown fields and out-of-range trust', () => {
    const twice = issuerInputSchema.safeParse({
      trust: 10,
      authors: ['PSIRT', 'psirt'],
      publicKeys: [
        { keyId: 'k', publicKeyPem: pem(ed) },
        { keyId: 'k', publicKeyPem: pem(p256) },
      ],
    });
    expect(twice.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'authors',
      'publicKeys.1.keyId',
    ]);
    expect(issuerInputSchema.safeParse({ trust: 101 }).success).toBe(false);
    expect(issuerInputSchema.safeParse({ trust: 1, extra: true }).success).toBe(false);
  });
});

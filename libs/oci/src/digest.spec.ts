import { DigestVerifier, digestOf, isDigest, parseDigest, sha256Digest, verifyDigest } from './digest';
import { isOciError } from './errors';

describe('digests', () => {
  const data = Buffer.from('hello');
  const helloSha256 = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

  it('computes sha256 and sha512 digests', () => {
    expect(sha256Digest(data)).toBe(helloSha256);
    expect(digestOf(data, 'sha512')).toMatch(/^sha512:[a-f0-9]{128}$/);
  });

  it('validates algorithm and length', () => {
    expect(parseDigest(helloSha256)).toEqual({ algorithm: 'sha256', hex: helloSha256.slice(7) });
    expect(isDigest(`sha512:${'a'.repeat(128)}`)).toBe(true);
    expect(isDigest(`sha256:${'a'.repeat(63)}`)).toBe(false);
    expect(isDigest(`sha384:${'a'.repeat(96)}`)).toBe(false);
    expect(isDigest(`sha256:${'A'.repeat(64)}`)).toBe(false);
    expect(isDigest('sha256')).toBe(false);
  });

  it('flags a mismatch as tamper with both digests', () => {
    let error: unknown;
    try {
      verifyDigest(Buffer.from('hellO'), helloSha256, { blob: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(isOciError(error, 'DIGEST_MISMATCH')).toBe(true);
    expect(error).toMatchObject({
      tamper: true,
      details: { blob: 'x', expected: helloSha256, actual: sha256Digest(Buffer.from('hellO')) },
    });
  });

  it('verifies streamed chunks', () => {
    const verifier = new DigestVerifier(helloSha256);
    verifier.update(Buffer.from('hel'));
    verifier.update(Buffer.from('lo'));
    expect(verifier.bytes).toBe(5);
    expect(verifier.verify()).toBe(helloSha256);
  });
});

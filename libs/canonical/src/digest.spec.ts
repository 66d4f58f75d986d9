import { contentId, digestOf, isSha256Digest, parseSha256Digest, sha256Digest } from './digest';

describe('digests', () => {
  it('hashes bytes and strings as sha256:<hex>', () => {
    expect(sha256Digest('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Digest(Buffer.from('abc'))).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('digests the canonical form, so key order does not matter', () => {
    expect(digestOf({ a: 1, b: 2 })).toBe(digestOf({ b: 2, a: 1 }));
    expect(digestOf({ a: 1 })).toBe(sha256Digest('{"a":1}'));
  });

  it('validates digests strictly', () => {
    const d = sha256Digest('x');
    expect(isSha256Digest(d)).toBe(true);
    expect(isSha256Digest(d.toUpperCase())).toBe(false);
    expect(isSha256Digest('sha256:abc')).toBe(false);
    expect(isSha256Digest(42)).toBe(false);
    expect(parseSha256Digest(d).hex).toHaveLength(64);
    expect(() => parseSha256Digest('sha512:00')).toThrow(/not a sha256 digest/);
  });

  it('derives stable content ids', () => {
    expect(contentId('rel', { b: 1, a: 2 })).toBe(contentId('rel', { a: 2, b: 1 }));
    expect(contentId('rel', { a: 1 })).toMatch(/^rel_[a-f0-9]{32}$/);
    expect(() => contentId('Bad Kind', {})).toThrow(/invalid id kind/);
  });
});

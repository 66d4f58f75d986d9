import { decodeBase64Strict, encodeBase64 } from './base64';

describe('decodeBase64Strict', () => {
  it('decodes standard base64 with padding', () => {
    expect(decodeBase64Strict('aGVsbG8gd29ybGQ=')?.toString()).toBe('hello world');
  });

  it('decodes URL-safe base64, padded or not (DSSE verifiers must accept both alphabets)', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfe]);
    expect(decodeBase64Strict('-_-__g')).toEqual(bytes);
    expect(decodeBase64Strict('-_-__g==')).toEqual(bytes);
    expect(decodeBase64Strict('+/+//g==')).toEqual(bytes);
  });

  it('accepts the empty string as zero bytes', () => {
    expect(decodeBase64Strict('')).toEqual(Buffer.alloc(0));
  });

  it.each([
    ['stray character', 'aGVsbG8*d29ybGQ='],
    ['whitespace', 'aGVsbG8g d29ybGQ='],
    ['newline', 'aGVsbG8g\nd29ybGQ='],
    ['missing standard padding', '+/+//g'],
    ['mixed alphabets', '+_+//g=='],
    ['wrong padding length', 'aGVsbG8gd29ybGQ=='],
    ['non-zero trailing bits', 'aGVsbG8gd29ybGR='],
    ['padding in the middle', 'aGVs=bG8gd29ybGQ'],
    ['truncated quantum', 'aGVsb'],
  ])('rejects %s', (_label, text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });

  it('round-trips what encodeBase64 produces', () => {
    const bytes = Uint8Array.from({ length: 257 }, (_, i) => (i * 37) % 256);
    expect(decodeBase64Strict(encodeBase64(bytes))).toEqual(Buffer.from(bytes));
  });

  it('encodes a subarray view without the bytes around it', () => {
    const backing = Buffer.from('xxhelloxx');
    expect(encodeBase64(backing.subarray(2, 7))).toBe(Buffer.from('hello').toString('base64'));
  });
});

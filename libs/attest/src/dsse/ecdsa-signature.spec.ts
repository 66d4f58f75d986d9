import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { derToP1363, p1363ToDer } from './ecdsa-signature';

describe('ECDSA signature encodings', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from('payload');

  it('converts OpenSSL DER to P1363 and back without changing validity', () => {
    for (let i = 0; i < 20; i++) {
      const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
      const p1363 = derToP1363(der);
      expect(p1363).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363!)).toBe(true);
      expect(p1363ToDer(p1363!)).toEqual(der);
    }
  });

  it('encodes P1363 produced by OpenSSL as DER OpenSSL accepts', () => {
    const p1363 = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const der = p1363ToDer(p1363);
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
  });

  it('pads high-bit scalars and strips leading zeros minimally', () => {
    const raw = Buffer.concat([
      Buffer.alloc(32, 0xff),
      Buffer.concat([Buffer.alloc(31, 0), Buffer.from([0x01])]),
    ]);
    const der = p1363ToDer(raw);
    expect(der.subarray(0, 5)).toEqual(Buffer.from([0x30, 0x26, 0x02, 0x21, 0x00]));
    expect(der.subarray(der.length - 3)).toEqual(Buffer.from([0x02, 0x01, 0x01]));
    expect(derToP1363(der)).toEqual(raw);
  });

  it.each([
    ['not a sequence', Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['wrong sequence length', Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['negative integer', Buffer.from([0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01])],
    ['non-minimal integer', Buffer.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01])],
    ['trailing bytes', Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00])],
    [
      'scalar wider than the curve',
      Buffer.concat([
        Buffer.from([0x30, 0x26, 0x02, 0x21, 0x01]),
        Buffer.alloc(32, 1),
        Buffer.from([0x02, 0x01, 0x01]),
      ]),
    ],
  ])('rejects DER that is %s', (_label, der) => {
    expect(derToP1363(der)).toBeUndefined();
  });

  it('refuses an odd-length P1363 signature', () => {
    expect(() => p1363ToDer(Buffer.alloc(63))).toThrow(RangeError);
  });
});

import { preAuthEncoding } from './pae';

describe('preAuthEncoding', () => {
  it('matches the DSSE protocol test vector', () => {
    const pae = preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(pae.toString('latin1')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('encodes empty type and body as zero lengths', () => {
    expect(preAuthEncoding('', new Uint8Array()).toString('latin1')).toBe('DSSEv1 0  0 ');
  });

  it('counts UTF-8 bytes of the type, not characters', () => {
    // "é" is two bytes, "€" three: the length field must be 5, not 2.
    const pae = preAuthEncoding('é€', Buffer.from('x'));
    expect(pae).toEqual(
      Buffer.concat([Buffer.from('DSSEv1 5 '), Buffer.from('é€', 'utf8'), Buffer.from(' 1 x')]),
    );
  });

  it('keeps binary bodies byte-exact', () => {
    const body = Uint8Array.from([0, 255, 32, 10, 13]);
    const pae = preAuthEncoding('application/octet-stream', body);
    expect(pae.subarray(pae.length - body.length)).toEqual(Buffer.from(body));
    expect(pae.subarray(0, pae.length - body.length).toString('latin1')).toBe(
      'DSSEv1 24 application/octet-stream 5 ',
    );
  });

  it('separates type and body unambiguously', () => {
    // Without length prefixes these two would concatenate to the same bytes.
    expect(preAuthEncoding('a b', Buffer.from('c'))).not.toEqual(preAuthEncoding('a', Buffer.from('b c')));
  });
});

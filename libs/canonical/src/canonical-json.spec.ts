import { canonicalize, canonicalBytes, CanonicalJsonError } from './canonical-json';

describe('canonicalize (RFC 8785)', () => {
  it('matches the RFC 8785 section 3.2.2 example byte for byte', () => {
    const input = {
      numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts properties by UTF-16 code units, recursively (RFC 8785 section 3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalize({ b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }] })).toBe(
      '{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}',
    );
  });

  it('serialises numbers as ECMAScript does (RFC 8785 appendix B samples)', () => {
    const samples: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [1e21, '1e+21'],
      [0.000001, '0.000001'],
      [1e-7, '1e-7'],
    ];
    for (const [value, text] of samples) expect(canonicalize(value)).toBe(text);
  });

  it('gives the same bytes whatever the insertion order', () => {
    expect(canonicalBytes({ a: 1, b: [true, null] }).equals(canonicalBytes({ b: [true, null], a: 1 }))).toBe(
      true,
    );
  });

  it('drops undefined properties and serialises dates through toJSON', () => {
    expect(canonicalize({ a: undefined, b: new Date('2026-01-02T03:04:05.000Z') })).toBe(
      '{"b":"2026-01-02T03:04:05.000Z"}',
    );
  });

  it.each([
    ['NaN', { a: Number.NaN }, '$.a'],
    ['Infinity', [1, Number.POSITIVE_INFINITY], '$[1]'],
    ['bigint', { n: BigInt(1) }, '$.n'],
    ['function', { f: () => 1 }, '$.f'],
    ['undefined in array', [undefined], '$[0]'],
    ['lone surrogate', { s: '\ud800' }, '$.s'],
    ['top-level undefined', undefined, '$'],
  ])('refuses %s with the path', (_label, value, path) => {
    expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
    try {
      canonicalize(value);
    } catch (e) {
      expect((e as CanonicalJsonError).path).toBe(path);
    }
  });

  it('refuses circular structures', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalize(a)).toThrow(/circular/);
  });
});

describe('canonicalize against the canonicalize package (reference implementation)', () => {
  const reference = require('canonicalize') as (value: unknown) => string;
  const fc = require('fast-check') as typeof import('fast-check');

  it('gives the same text on generated JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalize(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same text on values nested deeper than the fast path handles', () => {
    let deep: unknown = { leaf: [1, 'x'] };
    for (let i = 0; i < 400; i++) deep = i % 2 ? { [`k${i}`]: deep, a: i } : [deep, i];
    expect(canonicalize(deep)).toBe(reference(deep));
  });

  it('still names the path of a refused value found deep inside', () => {
    const value = { a: [{ b: 1 }, { c: [Number.NaN] }] };
    expect(() => canonicalize(value)).toThrow('at $.a[1].c[0]');
  });
});

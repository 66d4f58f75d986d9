import { z } from 'zod';
import { coerceValue, fieldKindOf } from './coerce';

function coerce(schema: z.ZodType, value: unknown): unknown {
  return coerceValue(value, fieldKindOf(schema));
}

describe('coerceValue', () => {
  it('parses exact decimal numbers only', () => {
    expect(coerce(z.number(), '8080')).toBe(8080);
    expect(coerce(z.number(), '-1.5')).toBe(-1.5);
    expect(coerce(z.number().int().default(3), '42')).toBe(42);
    expect(coerce(z.number(), 'abc')).toBe('abc');
    expect(coerce(z.number(), '1e3')).toBe('1e3');
    expect(coerce(z.number(), '0x10')).toBe('0x10');
    expect(coerce(z.number(), ' 8 ')).toBe(' 8 ');
    expect(coerce(z.number(), '')).toBe('');
  });

  it('parses booleans strictly from true/false/1/0', () => {
    expect(coerce(z.boolean(), 'true')).toBe(true);
    expect(coerce(z.boolean(), '1')).toBe(true);
    expect(coerce(z.boolean(), 'false')).toBe(false);
    expect(coerce(z.boolean().optional(), '0')).toBe(false);
    expect(coerce(z.boolean(), 'yes')).toBe('yes');
    expect(coerce(z.boolean(), 'TRUE')).toBe('TRUE');
    expect(coerce(z.boolean(), 'on')).toBe('on');
  });

  it('leaves strings, URLs and string enums alone', () => {
    expect(coerce(z.string(), '123')).toBe('123');
    expect(coerce(z.url().optional(), 'http://x')).toBe('http://x');
    expect(coerce(z.enum(['a', 'b']).default('a'), 'b')).toBe('b');
  });

  it('coerces numeric literals and through pipes', () => {
    expect(coerce(z.literal([1, 2]), '2')).toBe(2);
    expect(coerce(z.number().pipe(z.number().min(1)), '5')).toBe(5);
  });

  it('splits comma-separated arrays and accepts JSON arrays', () => {
    expect(coerce(z.array(z.string()), 'a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(coerce(z.array(z.number()), '1,2')).toEqual([1, 2]);
    expect(coerce(z.array(z.string()), '["a,b","c"]')).toEqual(['a,b', 'c']);
    expect(coerce(z.array(z.number()), ['3', 4])).toEqual([3, 4]);
    expect(coerce(z.array(z.string()), '')).toEqual([]);
  });

  it('parses JSON for object fields and keeps invalid JSON as a string for zod to reject', () => {
    expect(coerce(z.object({ a: z.number() }), '{"a":1}')).toEqual({ a: 1 });
    expect(coerce(z.record(z.string(), z.string()), '{oops')).toBe('{oops');
  });

  it('passes non-string values through', () => {
    expect(coerce(z.number(), 7)).toBe(7);
    expect(coerce(z.boolean(), true)).toBe(true);
  });
});

import { DbError } from './errors';
import { assertSchemaName, isValidSchemaName, quoteSchema } from './schema-name';

describe('schema names', () => {
  it.each(['authority', '_private', 'a', 't_0f3a', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(isValidSchemaName(name)).toBe(true);
    expect(quoteSchema(name)).toBe(`"${name}"`);
  });

  it.each([
    '',
    'Authority',
    '1abc',
    'a-b',
    'a b',
    'a"; drop schema x; --',
    'a'.repeat(64),
    'pg_catalog',
    'é',
  ])('rejects %j with INVALID_SCHEMA_NAME', (name) => {
    expect(isValidSchemaName(name)).toBe(false);
    expect(() => assertSchemaName(name)).toThrow(DbError);
    try {
      assertSchemaName(name);
    } catch (error) {
      expect((error as DbError).code).toBe('INVALID_SCHEMA_NAME');
    }
  });
});

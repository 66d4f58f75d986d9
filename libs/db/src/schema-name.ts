import { DbError } from './errors';

/** Unquoted lowercase Postgres identifier of at most 63 bytes (NAMEDATALEN - 1). */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export function isValidSchemaName(name: string): boolean {
  return SCHEMA_NAME_PATTERN.test(name) && !name.startsWith('pg_');
}

/** Throws INVALID_SCHEMA_NAME unless `name` is safe to splice into SQL as an identifier. */
export function assertSchemaName(name: string): string {
  if (!isValidSchemaName(name)) {
    throw new DbError(
      'INVALID_SCHEMA_NAME',
      `invalid schema name ${JSON.stringify(name)}: expected ${SCHEMA_NAME_PATTERN.source} and no pg_ prefix`,
    );
  }
  return name;
}

/** Double-quoted identifier for a validated schema name (validation makes quoting trivial). */
export function quoteSchema(name: string): string {
  return `"${assertSchemaName(name)}"`;
}

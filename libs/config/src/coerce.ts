import type { z } from 'zod';

/**
 * Environment variables and `_FILE` secrets are always strings; YAML scalars may be
 * quoted. We turn a string into the type the schema field expects before zod sees it,
 * strictly: anything that is not an exact literal of that type stays a string, so zod
 * reports it instead of us guessing (no "yes"/"on" booleans, no "1e3" or "0x10" numbers).
 */

type FieldKind =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'bigint' }
  | { kind: 'boolean' }
  | { kind: 'json' }
  | { kind: 'array'; element: FieldKind };

const DECIMAL_NUMBER = /^[+-]?\d+(\.\d+)?$/;
const DECIMAL_INTEGER = /^[+-]?\d+$/;

// Wrappers that do not change what a raw value should look like.
const TRANSPARENT_WRAPPERS = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
]);

interface IntrospectableDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

function defOf(schema: z.ZodType): IntrospectableDef {
  return schema._zod.def as unknown as IntrospectableDef;
}

function kindOfPrimitives(values: unknown[]): FieldKind {
  if (values.length > 0 && values.every((v) => typeof v === 'number')) return { kind: 'number' };
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return { kind: 'boolean' };
  if (values.length > 0 && values.every((v) => typeof v === 'bigint')) return { kind: 'bigint' };
  return { kind: 'string' };
}

export function fieldKindOf(schema: z.ZodType): FieldKind {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (TRANSPARENT_WRAPPERS.has(def.type) && def.innerType) {
      current = def.innerType;
      continue;
    }
    if (def.type === 'pipe' && def.in) {
      current = def.in;
      continue;
    }
    switch (def.type) {
      case 'number':
        return { kind: 'number' };
      case 'bigint':
        return { kind: 'bigint' };
      case 'boolean':
        return { kind: 'boolean' };
      case 'array':
        return { kind: 'array', element: def.element ? fieldKindOf(def.element) : { kind: 'string' } };
      case 'object':
      case 'record':
      case 'tuple':
      case 'map':
        return { kind: 'json' };
      case 'literal':
        return kindOfPrimitives(def.values ?? []);
      case 'enum':
        return kindOfPrimitives(Object.values(def.entries ?? {}));
      default:
        return { kind: 'string' };
    }
  }
}

function coerceScalar(raw: string, kind: FieldKind): unknown {
  switch (kind.kind) {
    case 'number':
      return DECIMAL_NUMBER.test(raw) ? Number(raw) : raw;
    case 'bigint':
      return DECIMAL_INTEGER.test(raw) ? BigInt(raw) : raw;
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return raw;
    case 'json':
      return parseJsonOr(raw);
    case 'array':
      return coerceArray(raw, kind.element);
    case 'string':
      return raw;
  }
}

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (_notJson) {
    return raw;
  }
}

/** Arrays come as a JSON array (`["a","b"]`) or a comma-separated list (`a, b`). */
function coerceArray(raw: string, element: FieldKind): unknown {
  if (raw.trimStart().startsWith('[')) {
    const parsed = parseJsonOr(raw);
    return Array.isArray(parsed) ? parsed.map((item) => coerceValue(item, element)) : raw;
  }
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return items.map((item) => coerceScalar(item, element));
}

/** Coerces `value` for a field of `kind`; non-string values (from YAML) pass through unchanged. */
export function coerceValue(value: unknown, kind: FieldKind): unknown {
  if (typeof value === 'string') return coerceScalar(value, kind);
  if (Array.isArray(value) && kind.kind === 'array')
    return value.map((item) => coerceValue(item, kind.element));
  return value;
}

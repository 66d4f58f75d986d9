import serialize from 'canonicalize';

/** Raised when a value cannot be represented in RFC 8785 canonical JSON. */
export class CanonicalJsonError extends Error {
  readonly code = 'NOT_CANONICALIZABLE' as const;
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || '$'}`);
    this.name = 'CanonicalJsonError';
  }
}

/**
 * RFC 8785 (JCS) canonical JSON text of `value`.
 *
 * Refuses what JCS/I-JSON forbid but `JSON.stringify` would silently coerce or drop: non-finite
 * numbers, bigint, functions, symbols, `undefined` at the top level or inside arrays, and strings
 * that are not well-formed Unicode.
 *
 * Written by hand rather than calling the `canonicalize` package directly: that package plus a
 * separate validation walk visited every node twice and built a path string per node, which made
 * hashing a multi-megabyte policy input cost 10-25x `JSON.stringify`. This single pass validates
 * while it serialises and computes the error path only when it refuses (by re-walking with
 * `assertCanonicalizable`). Its output is checked against the `canonicalize` package (by the RFC's
 * co-author) on the RFC vectors and on generated values in the unit tests.
 */
export function canonicalize(value: unknown): string {
  try {
    return serializeValue(value, 0, new Set());
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    // Slow path, only to name where the value is refused (or to serialise a very deep value).
    assertCanonicalizable(value, '$', new Set());
    const text = serialize(value);
    if (text === undefined) throw new CanonicalJsonError('value has no JSON representation', '$');
    return text;
  }
}

/** Thrown inside the fast path; never escapes `canonicalize`. */
class Refused extends Error {}
const REFUSED = new Refused();
/** Beyond this nesting the fast path hands over to the checked recursive walk. */
const FAST_PATH_MAX_DEPTH = 256;

function serializeValue(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw REFUSED;
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw REFUSED;
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw REFUSED;
  }
  if (value === null) return 'null';
  if (depth > FAST_PATH_MAX_DEPTH || seen.has(value)) throw REFUSED;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return serializeValue((value as { toJSON(): unknown }).toJSON(), depth + 1, seen);
  }
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += serializeValue(value[i], depth + 1, seen);
    }
    out += ']';
  } else {
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is the order RFC 8785 section 3.2.3 asks for.
    const keys = Object.keys(record).sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const item = record[key];
      // Absent and undefined properties are the same thing in JSON: dropped, not refused.
      if (item === undefined) continue;
      if (!key.isWellFormed()) throw REFUSED;
      if (!first) out += ',';
      first = false;
      out += JSON.stringify(key) + ':' + serializeValue(item, depth + 1, seen);
    }
    out += '}';
  }
  seen.delete(value);
  return out;
}

/** UTF-8 bytes of the canonical JSON text: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

function assertCanonicalizable(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new CanonicalJsonError('string contains a lone surrogate', path);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`number ${value} is not allowed`, path);
      return;
    case 'boolean':
      return;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new CanonicalJsonError(`${typeof value} is not allowed`, path);
    case 'object':
      break;
  }
  if (value === null) return;
  const obj = value as object;
  if (seen.has(obj)) throw new CanonicalJsonError('circular reference', path);
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    // Date and friends: canonicalize what they serialise to.
    assertCanonicalizable((obj as { toJSON(): unknown }).toJSON(), path, seen);
    return;
  }
  seen.add(obj);
  if (Array.isArray(obj)) {
    obj.forEach((item, i) => assertCanonicalizable(item, `${path}[${i}]`, seen));
  } else {
    for (const [key, item] of Object.entries(obj)) {
      if (!key.isWellFormed()) throw new CanonicalJsonError('property name contains a lone surrogate', path);
      // Absent and undefined properties are the same thing in JSON: dropped, not refused.
      if (item !== undefined) assertCanonicalizable(item, `${path}.${key}`, seen);
    }
  }
  seen.delete(obj);
}

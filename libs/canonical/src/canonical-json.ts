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
 * Serialisation itself is the `canonicalize` package (by the RFC's co-author); this
 * wrapper first rejects what JCS/I-JSON forbid but `JSON.stringify` would silently
 * coerce or drop: non-finite numbers, bigint, functions, symbols, `undefined` at the
 * top level or inside arrays, and strings that are not well-formed Unicode.
 */
export function canonicalize(value: unknown): string {
  assertCanonicalizable(value, '$', new Set());
  const text = serialize(value);
  if (text === undefined) throw new CanonicalJsonError('value has no JSON representation', '$');
  return text;
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

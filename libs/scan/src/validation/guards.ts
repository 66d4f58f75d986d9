/**
 * Plain checks that mirror zod schemas on the scan path (see `safeParseChecked`): each accepts
 * only values its schema accepts unchanged, and may refuse more (zod then decides). They exist
 * because loading zod costs more than a warm rescan's own work; `guards.spec.ts` runs them
 * against the zod schemas they mirror.
 */
export type Guard = (value: unknown) => boolean;

export const isString: Guard = (value) => typeof value === 'string';
export const isBoolean: Guard = (value) => typeof value === 'boolean';
/** `z.number().int()`: a safe integer. */
export const isInt: Guard = (value) => Number.isSafeInteger(value);
/** `z.number().int().nonnegative()`. */
export const isCount: Guard = (value) => Number.isSafeInteger(value) && (value as number) >= 0;

export const optional =
  (guard: Guard): Guard =>
  (value) =>
    value === undefined || guard(value);

export const nullable =
  (guard: Guard): Guard =>
  (value) =>
    value === null || guard(value);

export const literal =
  (...values: readonly unknown[]): Guard =>
  (value) =>
    values.includes(value);

/** `z.string().regex(pattern)` (the pattern must not be global or sticky). */
export const matching =
  (pattern: RegExp): Guard =>
  (value) =>
    typeof value === 'string' && pattern.test(value);

/** `z.string().min(min).max(max)`. */
export const stringOfLength =
  (min: number, max: number): Guard =>
  (value) =>
    typeof value === 'string' && value.length >= min && value.length <= max;

export const arrayOf =
  (guard: Guard): Guard =>
  (value) => {
    if (!Array.isArray(value)) return false;
    for (let i = 0; i < value.length; i++) if (!guard(value[i])) return false;
    return true;
  };

export const anyOf =
  (...guards: Guard[]): Guard =>
  (value) =>
    guards.some((guard) => guard(value));

/**
 * A JSON-shaped object: prototype Object.prototype or null, and no own `__proto__` key (zod
 * would copy it into the prototype of its output; such documents are left to zod).
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && !Object.hasOwn(value, '__proto__');
}

/** `z.object(shape).loose()` (`strict`: `z.strictObject(shape)`), every field guarded. */
export function object(shape: Record<string, Guard>, mode: 'loose' | 'strict'): Guard {
  const keys = Object.keys(shape);
  return (value) => {
    if (!isPlainRecord(value)) return false;
    for (const key of keys) if (!shape[key]!(value[key])) return false;
    if (mode === 'strict') for (const key in value) if (!Object.hasOwn(shape, key)) return false;
    return true;
  };
}

/** `z.record(z.string(), guard)`. */
export const recordOf =
  (guard: Guard): Guard =>
  (value) => {
    if (!isPlainRecord(value)) return false;
    for (const key in value) if (!guard(value[key])) return false;
    return true;
  };

/** `z.discriminatedUnion(key, options)`: the option named by `value[key]`. */
export function taggedUnion(key: string, options: Record<string, Guard>): Guard {
  return (value) => {
    if (!isPlainRecord(value)) return false;
    const tag = value[key];
    return typeof tag === 'string' && Object.hasOwn(options, tag) && options[tag]!(value);
  };
}

import type * as Zod from 'zod';

type ZodApi = typeof Zod.z;

/**
 * zod costs 100-200 ms to load (most of a warm `stella scan` process's own work), so the scan path
 * requires it only when a schema is first used: `lazySchema(build)` returns a memoised getter.
 */
export function lazySchema<T>(build: (z: ZodApi) => T): () => T {
  let built: { schema: T } | undefined;
  return () => (built ??= { schema: build((require('zod') as typeof Zod).z) }).schema;
}

/**
 * `schema().safeParse(value)`, answered without zod when `accept(value)` holds. `accept` is a plain
 * check that never accepts what the schema would refuse, for schemas whose output equals their
 * input when valid (loose or strict objects without defaults or transforms): whatever it does not
 * accept goes to zod, which decides and words the error, so results and messages stay zod's.
 */
export function safeParseChecked<S extends Zod.ZodType>(
  value: unknown,
  accept: (value: unknown) => boolean,
  schema: () => S,
): Zod.ZodSafeParseResult<Zod.output<S>> {
  if (accept(value)) return { success: true, data: value as Zod.output<S> };
  return schema().safeParse(value) as Zod.ZodSafeParseResult<Zod.output<S>>;
}

/** `z.prettifyError`, loading zod (an error is being reported, so it is needed). */
export function prettifyError(error: Zod.ZodError): string {
  return (require('zod') as typeof Zod).z.prettifyError(error);
}

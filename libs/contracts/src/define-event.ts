import type { z } from 'zod';

/**
 * One version of one event type: the wire name, the version (part of `dataschema`) and the zod
 * schema of `data`. Types are append-only: never rename or change the meaning of one; publish
 * a new version (or a new type) and keep the old one parseable until no stream holds it.
 */
export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly description: string;
  readonly schema: TSchema;
}

export function defineEvent<const TType extends `stella.${string}`, TSchema extends z.ZodType>(
  definition: EventDefinition<TType, TSchema>,
): EventDefinition<TType, TSchema> {
  return Object.freeze(definition);
}

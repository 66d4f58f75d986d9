import { PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { ProblemError } from '../problem/problem-error';

export interface FieldError {
  path: string;
  message: string;
}

/** Formats zod issues as `[{ path: 'a.b[0]', message }]` for problem details. */
export function fieldErrors(
  issues: ReadonlyArray<{
    path: ReadonlyArray<PropertyKey>;
    message: string;
    code?: string;
    keys?: readonly string[];
  }>,
): FieldError[] {
  return issues.flatMap((issue) =>
    // An unknown property is reported at the property itself, not at its parent object.
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown property' }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    '',
  );
}

/**
 * Validates a request part against a zod schema; answers 400 problem+json naming every
 * offending field. Usage: `@Body(new ZodValidationPipe(CreateClientBody)) body: CreateClientBody`.
 */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly schema: ZodType<T>,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new ProblemError(400, {
      type: 'validation-failed',
      title: 'Request validation failed',
      detail: `The ${this.what} is invalid.`,
      errors: fieldErrors(result.error.issues),
    });
  }
}

import { fieldErrors } from '@stella/platform';
import type { z } from 'zod';
import { OrchestratorError } from './errors';

/**
 * Commands validate themselves when built: a use case never sees invalid input, whichever
 * adapter (REST, gRPC, intake) built the command.
 */
export function parseCommand<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new OrchestratorError('VALIDATION_FAILED', `the ${what} is invalid`, { errors: fieldErrors(parsed.error.issues) });
}

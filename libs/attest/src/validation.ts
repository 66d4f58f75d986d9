import type { z } from 'zod';
import { AttestError, type AttestErrorCode, type AttestIssue } from './errors';

/** Caps the issue list so a hostile document cannot blow up error payloads. */
const MAX_REPORTED_ISSUES = 50;

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): AttestIssue[] {
  return error.issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((issue) => ({ path: jsonPath([...prefix, ...issue.path]), message: issue.message }));
}

/** Parses with a zod schema, turning failures into an AttestError carrying every issue path. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: AttestErrorCode,
  what: string,
  prefix: readonly PropertyKey[] = [],
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = zodIssues(result.error, prefix);
    const first = issues[0];
    throw new AttestError(code, `${what} is invalid${first ? `: ${first.path}: ${first.message}` : ''}`, {
      issues,
    });
  }
  return result.data;
}

/** JSON.parse of untrusted bytes/text with a size bound checked before parsing. */
export function parseJsonText(
  input: string | Uint8Array,
  maxBytes: number,
  code: AttestErrorCode,
  what: string,
): unknown {
  const byteLength = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (byteLength > maxBytes) {
    throw new AttestError('ENVELOPE_TOO_LARGE', `${what} is ${byteLength} bytes, limit is ${maxBytes}`, {
      limit: maxBytes,
      actual: byteLength,
    });
  }
  const text = typeof input === 'string' ? input : decodeUtf8Strict(input, code, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AttestError(code, `${what} is not valid JSON`, {}, { cause });
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8Strict(bytes: Uint8Array, code: AttestErrorCode, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new AttestError(code, `${what} is not valid UTF-8`, {}, { cause });
  }
}

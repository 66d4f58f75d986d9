import { z } from 'zod';
import { VersioningError } from './errors';

/** Longest version string accepted; real versions are far shorter, longer ones are refused as absurd. */
export const MAX_VERSION_LENGTH = 256;
/** Longest native range expression accepted (npm unions of many comparators are legitimately long). */
export const MAX_RANGE_LENGTH = 4096;
/** Longest ecosystem string accepted (`Red Hat:<cpe>` and `Maven:<repo-url>` suffixes are the long ones). */
export const MAX_ECOSYSTEM_LENGTH = 512;

// C0 controls, DEL and C1 controls: never part of a version, often a sign of injected or binary data.
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function boundedText(what: string, max: number) {
  return z
    .string({ error: `${what} must be a string` })
    .max(max, { error: `${what} is longer than ${max} characters` })
    .refine((s) => !hasControlCharacter(s), { error: `${what} contains control characters` });
}

export const versionInputSchema = boundedText('version', MAX_VERSION_LENGTH);
export const rangeInputSchema = boundedText('range', MAX_RANGE_LENGTH);
export const ecosystemInputSchema = boundedText('ecosystem', MAX_ECOSYSTEM_LENGTH).refine((s) => s.length > 0, {
  error: 'ecosystem is empty',
});
export const purlTypeInputSchema = boundedText('purl type', 64);

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new VersioningError('INVALID_INPUT', issue?.message ?? `invalid ${field}`, {
      field,
      issues: result.error.issues.map((i) => i.message),
    });
  }
  return result.data;
}

/** True when `value` would pass checkVersionInput; for data (OSV events) that is judged, not refused. */
export function isAcceptableVersionText(value: string): boolean {
  return value.length <= MAX_VERSION_LENGTH && !hasControlCharacter(value);
}

/**
 * Hot path: versions are checked on every comparison, so the common valid case is decided by the
 * same three conditions the zod schema states; zod runs only to describe a rejection.
 */
export function checkVersionInput(value: unknown, field = 'version'): string {
  if (typeof value === 'string' && isAcceptableVersionText(value)) {
    return value;
  }
  return check(versionInputSchema, value, field);
}
export const checkRangeInput = (value: unknown): string => check(rangeInputSchema, value, 'range');
export const checkEcosystemInput = (value: unknown): string => check(ecosystemInputSchema, value, 'ecosystem');
export const checkPurlTypeInput = (value: unknown): string => check(purlTypeInputSchema, value, 'purlType');

import { canonicalize, sha256Digest } from '@stella/canonical';
import { validatePolicyInput } from './input-schema';
import type { PolicyInput } from './types';

const brand = Symbol('stella.policy.prepared-input');

/**
 * An input document validated and digested once, deeply frozen: evaluating it against several
 * policies or environments skips re-validation and re-hashing (the canonical digest of a large
 * release dominates an evaluation). Only `prepareInput` makes one, so its digest is trustworthy.
 */
export interface PreparedInput {
  readonly [brand]: true;
  readonly input: PolicyInput;
  /** `sha256:<hex>` of the canonical JSON of the input (`canonical`). */
  readonly digest: string;
  /**
   * The RFC 8785 canonical JSON of the validated input: the exact bytes `digest` hashes, for a
   * caller that stores or sends the input (no second canonicalisation).
   */
  readonly canonical: string;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
}

/** Validates (throws PolicyError `INPUT_SCHEMA`), digests and freezes an input document. */
export function prepareInput(value: unknown): PreparedInput {
  const input = validatePolicyInput(value);
  const canonical = canonicalize(input);
  const digest = sha256Digest(canonical);
  deepFreeze(input);
  return Object.freeze({ [brand]: true as const, input, digest, canonical });
}

export function isPreparedInput(value: unknown): value is PreparedInput {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

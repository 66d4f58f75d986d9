import { randomUUID } from 'node:crypto';
import { canonicalize, sha256Digest } from '@stella/canonical';
import { PolicyError } from './errors';
import { componentListSchema, problemsOf, validatePolicyInput } from './input-schema';
import type { PolicyInput, PolicyInputComponent } from './types';

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

/**
 * Component lists `prepareComponents` validated and froze, with their canonical JSON. Keyed by the
 * (frozen) array itself: only that very object is trusted, so nothing can change it afterwards.
 */
const preparedLists = new WeakMap<object, string>();

/**
 * Validates (throws PolicyError `INPUT_SCHEMA`), freezes and serialises a component list once.
 * An input whose images carry the returned array (the same object) is prepared without validating
 * or serialising that list again: the components of an SBOM are shared by every release holding
 * an image of it, and they are most of an input.
 */
export function prepareComponents(value: unknown): readonly PolicyInputComponent[] {
  if (typeof value === 'object' && value !== null && preparedLists.has(value)) return value as readonly PolicyInputComponent[];
  const parsed = componentListSchema.safeParse(value);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error).map((p) => ({ ...p, path: p.path === '/' ? 'components' : `components/${p.path}` }));
    throw new PolicyError('INPUT_SCHEMA', `invalid component list: ${problems.length} problem(s)`, problems);
  }
  const list = parsed.data as PolicyInputComponent[];
  deepFreeze(list);
  preparedLists.set(list, canonicalize(list));
  return list;
}

/** Validates (throws PolicyError `INPUT_SCHEMA`), digests and freezes an input document. */
export function prepareInput(value: unknown): PreparedInput {
  // Images whose component list was prepared already: validated without it, serialised with its
  // canonical text spliced in where a one-off placeholder stands.
  const images = (value as { images?: unknown } | null)?.images;
  const known = new Map<number, readonly PolicyInputComponent[]>();
  let source = value;
  if (Array.isArray(images)) {
    images.forEach((image: unknown, index) => {
      const list = (image as { components?: unknown } | null)?.components;
      if (typeof list === 'object' && list !== null && preparedLists.has(list)) known.set(index, list as readonly PolicyInputComponent[]);
    });
    if (known.size > 0)
      source = {
        ...(value as object),
        images: images.map((image: unknown, index) => (known.has(index) ? { ...(image as object), components: [] } : image)),
      };
  }
  const input = validatePolicyInput(source);
  let canonical: string;
  if (known.size === 0) canonical = canonicalize(input);
  else {
    const nonce = randomUUID();
    const mutable = input.images as unknown as Array<{ components: unknown }>;
    for (const index of known.keys()) mutable[index]!.components = `\u0000${nonce}:${index}`;
    const text = canonicalize(input);
    let out = '';
    let copied = 0;
    let spliced = true;
    for (const [index, list] of known) {
      // The placeholder's canonical text: a JSON string, U+0000 escaped as \u0000.
      const marker = `"\\u0000${nonce}:${index}"`;
      const at = text.indexOf(marker, copied);
      if (at < 0 || text.indexOf(marker, at + marker.length) >= 0) {
        spliced = false;
        break;
      }
      out += text.slice(copied, at) + preparedLists.get(list)!;
      copied = at + marker.length;
    }
    for (const [index, list] of known) mutable[index]!.components = list;
    canonical = spliced ? out + text.slice(copied) : canonicalize(input);
  }
  const digest = sha256Digest(canonical);
  deepFreeze(input);
  return Object.freeze({ [brand]: true as const, input, digest, canonical });
}

export function isPreparedInput(value: unknown): value is PreparedInput {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

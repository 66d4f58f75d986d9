import {
  compilePolicy,
  evaluatePolicy,
  inputDigest,
  prepareComponents,
  prepareInput,
  verdictBytes,
  type PolicyInput,
} from './index';
import { component, finding, image, input, policyDoc } from './__fixtures__/fixtures';
import { canonicalize, sha256Digest } from '@stella/canonical';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Rebuilds every object with its keys in reverse (or random) order: same JSON value, other text. */
function shuffleKeys<T>(value: T, seed: { n: number }): T {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed)) as T;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    // deterministic pseudo-random permutation
    for (let i = entries.length - 1; i > 0; i--) {
      seed.n = (seed.n * 1103515245 + 12345) % 2147483648;
      const j = seed.n % (i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, seed)])) as T;
  }
  return value;
}

describe('determinism', () => {
  const policy = compilePolicy(readFileSync(join(__dirname, 'golden', 'policy.yaml'), 'utf8'));
  const scenario = JSON.parse(
    readFileSync(join(__dirname, 'golden', 'prod-delta-against-deployed.json'), 'utf8'),
  ) as { input: PolicyInput };

  it('the same input gives byte-identical verdicts', () => {
    const a = verdictBytes(evaluatePolicy(policy, scenario.input));
    const b = verdictBytes(evaluatePolicy(policy, JSON.parse(JSON.stringify(scenario.input))));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('an input with its keys in another order gives the same bytes and the same input digest', () => {
    const reference = verdictBytes(evaluatePolicy(policy, scenario.input));
    for (let n = 1; n <= 5; n++) {
      const shuffled = shuffleKeys(scenario.input, { n });
      expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(scenario.input));
      expect(inputDigest(shuffled)).toBe(inputDigest(scenario.input));
      expect(Buffer.from(verdictBytes(evaluatePolicy(policy, shuffled))).equals(Buffer.from(reference))).toBe(
        true,
      );
    }
  });

  it('a policy with its keys in another order has the same hash and gives the same bytes', () => {
    const doc = policyDoc({
      severity: { threshold: 'high' },
      unknowns: { budget: 3 },
      licenses: { deny: ['GPL-3.0-only'] },
    });
    const p1 = compilePolicy(doc);
    const p2 = compilePolicy(shuffleKeys(doc, { n: 7 }));
    expect(p2.policyHash).toBe(p1.policyHash);
    const inp = input({
      images: [
        image({
          components: [component(), component({ purl: undefined, name: 'x' })],
          findings: [finding({ severity: 'critical' })],
        }),
      ],
    });
    expect(
      Buffer.from(verdictBytes(evaluatePolicy(p2, inp))).equals(
        Buffer.from(verdictBytes(evaluatePolicy(p1, inp))),
      ),
    ).toBe(true);
  });

  it('the verdict records the policy hash, the engine version and the input digest', () => {
    const v = evaluatePolicy(policy, scenario.input);
    expect(v).toMatchObject({
      policyHash: policy.policyHash,
      engineVersion: 'stella-policy/1.0.0',
      inputDigest: inputDigest(scenario.input),
      evaluationTime: scenario.input.evaluationTime,
    });
  });
});

describe('prepareInput', () => {
  const policy = compilePolicy(readFileSync(join(__dirname, 'golden', 'policy.yaml'), 'utf8'));
  const scenario = JSON.parse(
    readFileSync(join(__dirname, 'golden', 'prod-blocks-reachable-critical.json'), 'utf8'),
  ) as { input: PolicyInput };

  it('gives the same verdict bytes as the raw input, and can be evaluated in several environments', () => {
    const prepared = prepareInput(scenario.input);
    expect(prepared.digest).toBe(inputDigest(scenario.input));
    expect(prepared.canonical).toBe(canonicalize(scenario.input));
    expect(sha256Digest(prepared.canonical)).toBe(prepared.digest);
    expect(
      Buffer.from(verdictBytes(evaluatePolicy(policy, prepared))).equals(
        Buffer.from(verdictBytes(evaluatePolicy(policy, scenario.input))),
      ),
    ).toBe(true);
    expect(Object.isFrozen(prepared.input.images[0]!.findings[0])).toBe(true);
  });

  it('takes component lists prepared before as they are: same canonical bytes, digest and verdict', () => {
    const lists = scenario.input.images.map((image) => prepareComponents(JSON.parse(JSON.stringify(image.components))));
    expect(Object.isFrozen(lists[0])).toBe(true);
    expect(prepareComponents(lists[0])).toBe(lists[0]);
    const shared = { ...scenario.input, images: scenario.input.images.map((image, i) => ({ ...image, components: lists[i]! })) };
    const prepared = prepareInput(shared);
    const plain = prepareInput(scenario.input);
    expect(prepared.canonical).toBe(plain.canonical);
    expect(prepared.digest).toBe(plain.digest);
    expect(prepared.input.images[0]!.components).toBe(lists[0]);
    expect(Buffer.from(verdictBytes(evaluatePolicy(policy, prepared))).equals(Buffer.from(verdictBytes(evaluatePolicy(policy, plain))))).toBe(
      true,
    );
    // Twice the same prepared list in one input, and a string that looks like the placeholder.
    const twice = {
      ...scenario.input,
      release: { ...scenario.input.release, name: '\u0000not-a-placeholder' },
      images: [scenario.input.images[0]!, { ...scenario.input.images[0]!, name: 'copy' }].map((image) => ({ ...image, components: lists[0]! })),
    };
    const plainTwice = { ...twice, images: twice.images.map((image) => ({ ...image, components: JSON.parse(JSON.stringify(image.components)) as unknown[] })) };
    expect(prepareInput(twice).canonical).toBe(canonicalize(plainTwice));
  });

  it('refuses an invalid component list when preparing it, naming the field', () => {
    expect(() => prepareComponents([{ name: 'x' }])).toThrow(
      expect.objectContaining({ code: 'INPUT_SCHEMA', problems: [expect.objectContaining({ path: 'components/0/identified' })] }),
    );
  });

  it('validates: an invalid input is refused when prepared', () => {
    expect(() => prepareInput({ ...scenario.input, evaluationTime: 'yesterday' })).toThrow(
      expect.objectContaining({ code: 'INPUT_SCHEMA' }),
    );
  });

  it('a look-alike object is not a prepared input: it is validated like any input', () => {
    const fake = { input: scenario.input, digest: 'sha256:' + '0'.repeat(64) };
    expect(() => evaluatePolicy(policy, fake as never)).toThrow(
      expect.objectContaining({ code: 'INPUT_SCHEMA' }),
    );
  });
});

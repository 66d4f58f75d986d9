import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize, sha256Digest } from '@stella/canonical';
import {
  isPolicyGateReference,
  PolicyGate,
  type PolicyEvaluationClient,
  type PolicyGateContext,
  type PolicyGateReference,
} from './policy-gate';

const GOLDEN = join(__dirname, 'golden');
const policySource = readFileSync(join(GOLDEN, 'policy.yaml'), 'utf8');
const scenario = JSON.parse(readFileSync(join(GOLDEN, 'prod-blocks-reachable-critical.json'), 'utf8')) as { input: Record<string, unknown> };
const inputDocument = canonicalize(scenario.input);

const context: PolicyGateContext = {
  tenant: 'acme',
  now: new Date('2026-11-20T12:00:00Z'),
  release: { id: `sha256:${'c'.repeat(64)}`, name: 'shop', version: '1.4.0', createdBy: 'client:ci' },
  environment: { name: 'prod' },
  approvals: [],
};

const EVALUATION_ID = `sha256:${'e'.repeat(64)}`;
const client = (answer: { policySource: string; inputDocument: string }): PolicyEvaluationClient => ({
  evaluate: async () => ({ kind: 'evaluated', evaluationId: EVALUATION_ID, ...answer }),
});

describe('policy gate record by reference', () => {
  it('records the evaluation id and the digests, never the policy or the input body', async () => {
    const live = await new PolicyGate(client({ policySource, inputDocument })).evaluate(context);
    expect(live.result).toBe('fail');
    expect(live.evidence.map((e) => e.name)).toEqual(['policy', 'policy-evaluation', 'policy-input']);
    const record = live.recorded as PolicyGateReference;
    expect(isPolicyGateReference(record)).toBe(true);
    expect(Object.keys(record).sort()).toEqual(['evaluationId', 'inputDigest', 'kind', 'policyHash', 'verdictDigest']);
    expect(record.evaluationId).toBe(EVALUATION_ID);
    // The references are the digests of the evidence the record carries.
    expect(record.policyHash).toBe(live.evidence[0]!.digest);
    expect(record.inputDigest).toBe(live.evidence[2]!.digest);
    expect(record.inputDigest).toBe(sha256Digest(Buffer.from(inputDocument, 'utf8')));
    expect(record.verdictDigest).toBe((live.evidence[1]!.document as { verdictDigest: string }).verdictDigest);
  });

  it('stays small whatever the size of the input (5 images x 2,000 components)', async () => {
    const images = (scenario.input.images as Array<Record<string, unknown>>).slice(0, 1);
    const big = {
      ...scenario.input,
      images: Array.from({ length: 5 }, (_, i) => ({
        ...images[0],
        name: `image-${i}`,
        digest: `sha256:${String(i).repeat(64)}`,
        components: Array.from({ length: 2000 }, (_, c) => ({ purl: `pkg:npm/component-${i}-${c}@1.0.${c}`, name: `component-${i}-${c}`, version: `1.0.${c}`, licenses: ['MIT'], identified: true })),
      })),
    };
    const bigDocument = canonicalize(big);
    expect(bigDocument.length).toBeGreaterThan(1024 * 1024);
    const live = await new PolicyGate(client({ policySource, inputDocument: bigDocument })).evaluate(context);
    expect(live.evidence.map((e) => e.name)).toEqual(['policy', 'policy-evaluation', 'policy-input']);
    expect(canonicalize(live.recorded).length).toBeLessThan(512);
  });

  it('replays byte for byte from the bodies a body source gives, checked against the recorded digests', async () => {
    const live = await new PolicyGate(client({ policySource, inputDocument })).evaluate(context);
    const seen: PolicyGateReference[] = [];
    const replay = new PolicyGate(undefined, {
      bodies: (reference) => {
        seen.push(reference);
        return { policySource, inputDocument };
      },
    });
    const replayed = await replay.evaluate(context, live.recorded);
    expect(canonicalize(replayed)).toBe(canonicalize(live));
    expect(seen).toEqual([live.recorded]);
  });

  it('refuses to replay from bodies that are not the recorded ones, or without bodies', async () => {
    const live = await new PolicyGate(client({ policySource, inputDocument })).evaluate(context);
    const otherInput = canonicalize({ ...scenario.input, environment: 'stage' });
    await expect(new PolicyGate(undefined, { bodies: () => ({ policySource, inputDocument: otherInput }) }).evaluate(context, live.recorded)).rejects.toThrow(
      /the input document of evaluation .* is sha256:[0-9a-f]{64}, the decision recorded/,
    );
    const otherPolicy = `${policySource}\n# changed\nname: other\n`;
    await expect(new PolicyGate(undefined, { bodies: () => ({ policySource: otherPolicy, inputDocument }) }).evaluate(context, live.recorded)).rejects.toThrow(
      /policy source of evaluation/,
    );
    await expect(new PolicyGate().evaluate(context, live.recorded)).rejects.toThrow(/not available to replay/);
  });

  it('still replays a record of the older format that inlines the bodies', async () => {
    const live = await new PolicyGate(client({ policySource, inputDocument })).evaluate(context);
    const inline = { kind: 'evaluated', evaluationId: EVALUATION_ID, policySource, inputDocument };
    const replayed = await new PolicyGate().evaluate(context, inline);
    expect(replayed.recorded).toBe(inline);
    expect(canonicalize({ ...replayed, recorded: null })).toBe(canonicalize({ ...live, recorded: null }));
  });

  it('is pending with the reason when the policy service is unavailable, and replays that', async () => {
    const gate = new PolicyGate({ evaluate: async () => ({ kind: 'unavailable', reason: 'down' }) });
    const live = await gate.evaluate(context);
    expect(live).toEqual({ result: 'pending', reasons: ['policy not evaluated: down'], evidence: [], recorded: { kind: 'unavailable', reason: 'down' } });
    expect(await new PolicyGate().evaluate(context, live.recorded)).toEqual(live);
  });
});

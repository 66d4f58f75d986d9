import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { canonicalize } from '@stella/canonical';
import type { GateContext } from '@stella/gates';
import { PolicyGate, type PolicyGateRecord } from '@stella/policy-engine';
import { HttpPolicyEvaluationClient } from './policy.gate';

// The policy engine's own golden policy and input: the policy service is faked here only as the
// HTTP answer it gives (the service itself is tested in services/policy/test).
const GOLDEN = join(__dirname, '..', '..', '..', '..', '..', 'libs', 'policy-engine', 'src', 'golden');
const policySource = readFileSync(join(GOLDEN, 'policy.yaml'), 'utf8');
const scenario = JSON.parse(readFileSync(join(GOLDEN, 'prod-blocks-reachable-critical.json'), 'utf8')) as {
  input: unknown;
};

const context = {
  tenant: 'acme',
  now: new Date('2026-11-20T12:00:00Z'),
  promotion: { id: 'p-1', kind: 'promotion', requestedBy: 'client:ci' },
  release: { id: `sha256:${'c'.repeat(64)}`, name: 'shop', version: '1.4.0', createdBy: 'client:ci-shop' },
  environment: {
    name: 'prod',
    policy: { approvals: { required: 0 }, freezeWindows: [], gates: ['policy'] },
    policyDigest: 'x',
  },
  path: { environments: ['dev', 'stage', 'prod'], allowSkip: false },
  approvals: [],
  priorSuccesses: [],
} as unknown as GateContext;

const tokens = { authorizationHeader: async () => 'Bearer test' };

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('policy gate', () => {
  it('records what the policy service evaluated and replays it to the same result without I/O', async () => {
    let seen: Record<string, unknown> | undefined;
    const { server, url } = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { url: req.url, auth: req.headers.authorization, body: JSON.parse(body) as unknown };
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `sha256:${'e'.repeat(64)}`,
            replay: { policySource, inputDocument: canonicalize(scenario.input) },
          }),
        );
      });
    });
    try {
      const gate = new PolicyGate(new HttpPolicyEvaluationClient(url, tokens));
      const live = await gate.evaluate(context);
      expect(seen).toMatchObject({
        url: '/api/v1/evaluations?include=replay',
        auth: 'Bearer test',
        body: {
          release: { id: context.release.id },
          environment: 'prod',
          evaluationTime: '2026-11-20T12:00:00.000Z',
        },
      });
      expect(live.result).toBe('fail');
      expect(live.reasons[0]).toMatch(/^blocked/);
      expect(live.evidence.map((e) => e.name)).toEqual(['policy', 'policy-evaluation', 'policy-input']);
      // The record holds references; replay gets the bodies (from the evidence packet in production).
      const bodies = { policySource, inputDocument: canonicalize(scenario.input) };
      const replayed = await new PolicyGate(undefined, { bodies: () => bodies }).evaluate(context, live.recorded);
      expect(canonicalize(replayed)).toBe(canonicalize(live));
    } finally {
      server.close();
    }
  });

  it("sends the release's images from the orchestrator's store with the request", async () => {
    let body: { release?: { components?: unknown } } | undefined;
    const { server, url } = await listen((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        body = JSON.parse(text) as typeof body;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `sha256:${'e'.repeat(64)}`,
            replay: { policySource, inputDocument: canonicalize(scenario.input) },
          }),
        );
      });
    });
    try {
      const images = [
        { name: 'api', digest: `sha256:${'a'.repeat(64)}`, repository: '127.0.0.1:5000/shop/api' },
      ];
      const lookups: string[] = [];
      const client = new HttpPolicyEvaluationClient(url, tokens, 5000, async (tenant, releaseId) => {
        lookups.push(`${tenant}/${releaseId}`);
        return images;
      });
      await new PolicyGate(client).evaluate(context);
      expect(lookups).toEqual([`acme/${context.release.id}`]);
      expect(body?.release?.components).toEqual(images);
    } finally {
      server.close();
    }
  });

  it('fails closed (pending, with the reason) when the policy service is unreachable, and replays that', async () => {
    const { server, url } = await listen(() => undefined);
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const gate = new PolicyGate(new HttpPolicyEvaluationClient(url, tokens, 1000));
    const live = await gate.evaluate(context);
    expect(live.result).toBe('pending');
    expect(live.reasons[0]).toMatch(/policy not evaluated: policy service unreachable/);
    expect((live.recorded as PolicyGateRecord).kind).toBe('unavailable');
    expect(await new PolicyGate().evaluate(context, live.recorded)).toEqual(live);
  });

  it("is pending with the service's problem when it refuses (no policy bound, release unknown)", async () => {
    const { server, url } = await listen((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'urn:stella:problem:no-policy-bound',
          title: 'No policy bound',
          detail: 'bind a policy to prod',
        }),
      );
    });
    try {
      const live = await new PolicyGate(new HttpPolicyEvaluationClient(url, tokens)).evaluate(context);
      expect(live.result).toBe('pending');
      expect(live.reasons[0]).toContain('409: bind a policy to prod');
    } finally {
      server.close();
    }
  });
});

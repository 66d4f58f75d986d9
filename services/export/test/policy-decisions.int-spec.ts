import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canonicalize, sha256Digest } from '@stella/canonical';
import { createDataSource } from '@stella/db';
import { readArchive } from '@stella/evidence';
import {
  compilePolicy,
  evaluatePolicy,
  evaluationIdOf,
  PolicyGate,
  prepareInput,
  verdictBytes,
  type PolicyEvaluationResponse,
  type PolicyGateReference,
  type PolicyInput,
} from '@stella/policy-engine';
import { imageDigestOf, publishDecision, startEvidenceFleet, TENANT, type EvidenceFleet } from './export-harness';

const STELLA = resolve(__dirname, '../../cli/bin/stella.js');
const GOLDEN = resolve(__dirname, '../../../libs/policy-engine/src/golden');

const POLICY = `apiVersion: stella.policy/v1
kind: Policy
metadata:
  name: shop
  version: '1'
  description: dev lets releases through; the decision still records the evaluation
environments:
  dev: {}
`;

// A decision whose `policy` gate ran through the real policy service records references (evaluation
// id, policy hash, input and verdict digests); the export service fetches the policy source and
// the canonical input from the policy service, checks them and packs them; `stella verify` checks
// them against the record and `stella replay` re-runs the policy from them.
describe('export: policy-gated decisions stay small; their packets carry the policy and its input', () => {
  let fleet: EvidenceFleet;
  let dir: string;

  beforeAll(async () => {
    fleet = await startEvidenceFleet({ policy: true });
    dir = mkdtempSync(join(tmpdir(), 'stella-export-policy-'));
    writeFileSync(join(dir, 'ca.pem'), fleet.caPem);
    const created = await fleet.policy!.api('POST', '/api/v1/policies', { source: POLICY }, 'policy:write policy:read');
    expect(created.status).toBe(201);
    const bound = await fleet.policy!.api('PUT', '/api/v1/environments/dev/policy', { name: 'shop', version: '1' }, 'policy:write policy:read');
    expect(bound.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function packetOf(decisionId: string, timeoutMs = 45_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = await fleet.api('GET', `/api/v1/packets?decision=${decisionId}`);
      if (list.body.packets?.length === 1) return (await fleet.api('GET', `/api/v1/packets/${list.body.packets[0].id}/content`)).bytes;
      if (Date.now() > deadline) throw new Error(`no packet for ${decisionId}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  function stella(...args: string[]) {
    const run = spawnSync(process.execPath, [STELLA, ...args], { encoding: 'utf8' });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  }

  function verifiesAndReplays(file: string, decisionId: string): void {
    const verified = stella('verify', file, '--ca', join(dir, 'ca.pem'), '--log-key', fleet.logKey);
    expect(verified.out).not.toContain('FAIL');
    expect(verified.out).toContain('policy/input.json');
    expect(verified.status).toBe(0);
    const replayed = stella('replay', file);
    expect(replayed.out.trim()).toBe(`reproduced ${decisionId}`);
  }

  /** The orchestrator's policy gate, asking the real policy service (POST /api/v1/evaluations?include=replay). */
  const liveGate = (version: string) =>
    new PolicyGate({
      evaluate: async (request): Promise<PolicyEvaluationResponse> => {
        const res = await fleet.policy!.api(
          'POST',
          '/api/v1/evaluations?include=replay',
          {
            release: { ...request.release, components: [{ name: 'api', digest: imageDigestOf(version), repository: 'registry.example.com/shop/api' }] },
            environment: request.environment,
            approvals: request.approvals,
            evaluationTime: request.evaluationTime,
          },
          'policy:evaluate policy:read',
        );
        if (res.status !== 201 && res.status !== 200) return { kind: 'unavailable', reason: `policy service answered ${res.status}: ${res.text}` };
        return { kind: 'evaluated', evaluationId: res.body.id, policySource: res.body.replay.policySource, inputDocument: res.body.replay.inputDocument };
      },
    });

  it('a decision evaluated by the real policy service: small event, packet with the policy source and input, verifies and replays', async () => {
    const decision = await publishDecision(fleet.bus, 'dev', '5.0.0', TENANT, { extraGates: [liveGate('5.0.0')] });
    const recorded = decision.inputs.gates.find((g) => g.name === 'policy')!.recorded as PolicyGateReference;
    expect(Object.keys(recorded).sort()).toEqual(['evaluationId', 'inputDigest', 'kind', 'policyHash', 'verdictDigest']);
    const packet = await packetOf(decision.decisionId);
    const files = await readArchive(packet);
    expect(files.get('policy/source.yaml')!.toString('utf8')).toBe(POLICY);
    expect(sha256Digest(files.get('policy/input.json')!)).toBe(recorded.inputDigest);
    const stored = await fleet.policy!.api('GET', `/api/v1/evaluations/${recorded.evaluationId}/input`);
    expect(stored.text).toBe(files.get('policy/input.json')!.toString('utf8'));
    const file = join(dir, `${decision.decisionId}.tar`);
    writeFileSync(file, packet);
    verifiesAndReplays(file, decision.decisionId);
  }, 90_000);

  it('a release whose policy input is over 1 MiB: the event stays small, the packet waits for the policy service, then verifies and replays', async () => {
    // 5 images x 2,000 components: the input document the policy service stores for the release.
    const scenario = JSON.parse(readFileSync(join(GOLDEN, 'dev-allows-with-warnings.json'), 'utf8')) as { input: PolicyInput & { images: Array<Record<string, unknown>> } };
    const version = '6.0.0';
    const image = scenario.input.images[0]!;
    const input = {
      ...scenario.input,
      images: Array.from({ length: 5 }, (_, i) => ({
        ...image,
        name: `image-${i}`,
        digest: `sha256:${String(i + 1).repeat(64)}`,
        components: Array.from({ length: 2000 }, (_, c) => ({ purl: `pkg:npm/component-${i}-${c}@1.0.${c}`, name: `component-${i}-${c}`, version: `1.0.${c}`, licenses: ['MIT'], identified: true })),
      })),
    } as PolicyInput;
    const prepared = prepareInput(input);
    expect(prepared.canonical.length).toBeGreaterThan(1024 * 1024);
    const policy = compilePolicy(POLICY);
    const verdict = evaluatePolicy(policy, prepared);
    const verdictDigest = sha256Digest(verdictBytes(verdict));
    const evaluationId = evaluationIdOf(verdict, verdictDigest);
    const gate = new PolicyGate({ evaluate: async () => ({ kind: 'evaluated', evaluationId, policySource: POLICY, inputDocument: prepared.canonical }) });
    const decision = await publishDecision(fleet.bus, 'dev', version, TENANT, { extraGates: [gate] });
    // What crosses NATS: references, not the megabytes.
    expect(decision.eventBytes).toBeLessThan(16 * 1024);

    // The policy service does not have the evaluation yet (404): the packet is retried, never built without it.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await fleet.api('GET', `/api/v1/packets?decision=${decision.decisionId}`)).body.packets).toEqual([]);

    // The policy service stores the evaluation (through its own repository, as its evaluate use case does).
    const { EvaluationsRepository } = require(join(fleet.policy!.dist, 'evaluations', 'evaluations.repository.js')) as {
      EvaluationsRepository: new (dataSource: unknown) => { insertMany(manager: unknown, rows: unknown[]): Promise<void> };
    };
    const dataSource = createDataSource({ url: fleet.policy!.schema.url, schema: fleet.policy!.schema.schema, applicationName: 'export-test-policy-seed' });
    await dataSource.initialize();
    try {
      const now = new Date();
      await new EvaluationsRepository(dataSource).insertMany(dataSource.manager, [
        {
          id: evaluationId,
          tenantId: TENANT,
          releaseId: decision.releaseId,
          releaseName: 'shop',
          releaseVersion: version,
          environment: 'dev',
          policyName: 'shop',
          policyVersion: '1',
          policyHash: policy.policyHash,
          policySource: POLICY,
          inputDigest: verdict.inputDigest,
          inputDocument: prepared.canonical,
          verdictDigest,
          verdictBytes: Buffer.from(verdictBytes(verdict)).toString('utf8'),
          engineVersion: verdict.engineVersion,
          outcome: verdict.verdict,
          summary: verdict.summary,
          evaluatedAt: now,
          createdAt: now,
          requestedBy: 'client:stella-orchestrator',
          cause: { kind: 'request', by: 'client:stella-orchestrator' },
        },
      ]);
    } finally {
      await dataSource.destroy();
    }
    const packet = await packetOf(decision.decisionId, 60_000);
    const files = await readArchive(packet);
    expect(files.get('policy/input.json')!.toString('utf8')).toBe(prepared.canonical);
    expect(canonicalize(JSON.parse(files.get('decision/inputs.json')!.toString('utf8')))).toBe(canonicalize(decision.inputs));
    const file = join(dir, `${decision.decisionId}.tar`);
    writeFileSync(file, packet);
    verifiesAndReplays(file, decision.decisionId);
  }, 120_000);
});

// Writes the replay scenarios' `inputs` and `expected` from live evaluations (only when adding a
// scenario; never to "fix" a failing one):
//   npx tsc -b libs/gates && node libs/gates/dist/golden/generate.js
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDecisionRecord } from '../decision-record';
import { decisionInputsOf } from '../decision-inputs';
import { decisionReasons, evaluateGates, gateEvaluations, verdictOf } from '../evaluate';
import type { GateContext } from '../gate';
import { createGateRegistry } from '../registry';
import { testPolicy } from '../test-policy';

const dir = join(__dirname, '..', '..', 'src', 'golden');
const release = { id: `sha256:${'4'.repeat(64)}`, name: 'shop', version: '3.1.0', createdBy: 'client:ci' };
const path = { environments: ['dev', 'stage', 'prod'], allowSkip: false, version: 3 };
const scenarios: Array<{ file: string; description: string; context: GateContext; denyReason?: string }> = [
  {
    file: 'replay-prod-allow-two-approvals.json',
    description: 'prod allow: deployed in stage, outside the freeze, two distinct approvals',
    context: {
      tenant: 'acme',
      now: new Date('2031-05-06T10:00:00.000Z'),
      promotion: { id: '0b6f1a62-54d3-4f5c-9a1e-7c2d9e3b8a41', kind: 'promotion', requestedBy: 'user:alice' },
      release,
      environment: { name: 'prod', policy: testPolicy({ approvals: { required: 2, approverRoles: [] }, freezeWindows: [{ kind: 'recurring', name: 'weekend', cron: '0 16 * * 5', durationMinutes: 3840 }] }), policyDigest: `sha256:${'5'.repeat(64)}` },
      path,
      approvals: [
        { approver: 'user:bob', time: '2031-05-06T09:40:00.000Z', comment: 'change CHG-88 approved' },
        { approver: 'user:carol', time: '2031-05-06T09:55:00.000Z' },
      ],
      priorSuccesses: [{ environment: 'stage', promotionId: '7e0c2f4b-2b8d-4e1a-b9f6-3a5d8c1e2f70', state: 'deployed' }],
    },
  },
  {
    file: 'replay-prod-deny-weekend-freeze.json',
    description: 'prod deny: inside the recurring weekend freeze (Friday 16:00 UTC for 64 h), no break-glass',
    context: {
      tenant: 'acme',
      now: new Date('2031-05-10T12:00:00.000Z'),
      promotion: { id: '3c9e5d21-8f4a-4b6e-a2d7-1e0f9c8b7a65', kind: 'promotion', requestedBy: 'user:alice' },
      release,
      environment: { name: 'prod', policy: testPolicy({ approvals: { required: 1, approverRoles: [] }, freezeWindows: [{ kind: 'recurring', name: 'weekend', cron: '0 16 * * 5', durationMinutes: 3840 }] }), policyDigest: `sha256:${'5'.repeat(64)}` },
      path,
      approvals: [{ approver: 'user:bob', time: '2031-05-10T11:00:00.000Z' }],
      priorSuccesses: [{ environment: 'stage', promotionId: '7e0c2f4b-2b8d-4e1a-b9f6-3a5d8c1e2f70', state: 'deployed' }],
    },
  },
  {
    file: 'replay-stage-deny-rejected.json',
    description: 'stage deny: every gate passes but an approver rejected the promotion (explicit deny reason)',
    context: {
      tenant: 'acme',
      now: new Date('2031-05-07T08:30:00.000Z'),
      promotion: { id: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d', kind: 'promotion', requestedBy: 'client:ci' },
      release,
      environment: { name: 'stage', policy: testPolicy(), policyDigest: `sha256:${'6'.repeat(64)}` },
      path,
      approvals: [],
      priorSuccesses: [{ environment: 'dev', promotionId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9', state: 'deployed' }],
    },
    denyReason: 'rejected by user:dave: load test still running',
  },
];

async function main(): Promise<void> {
  const registry = createGateRegistry();
  for (const s of scenarios) {
    const results = await evaluateGates(s.context, (name) => registry.current(name));
    const verdict = s.denyReason !== undefined ? 'deny' : verdictOf(results);
    if (verdict === 'pending') throw new Error(`${s.file} is pending`);
    const evaluatedAt = s.context.now.toISOString();
    const record = buildDecisionRecord({
      tenant: s.context.tenant,
      release: s.context.release,
      environment: s.context.environment,
      path: s.context.path,
      verdict,
      reasons: decisionReasons(verdict, results, s.denyReason),
      gates: gateEvaluations(results),
      approvals: s.context.approvals,
      evaluatedAt,
    });
    const inputs = decisionInputsOf({ context: s.context, results, evaluatedAt, approvals: s.context.approvals, path: s.context.path, ...(s.denyReason === undefined ? {} : { denyReason: s.denyReason }) });
    const scenario = { description: s.description, inputs, expected: { id: record.id, digest: record.digest, canonical: record.canonical } };
    writeFileSync(join(dir, s.file), `${JSON.stringify(scenario, null, 2)}\n`);
  }
}

void main();

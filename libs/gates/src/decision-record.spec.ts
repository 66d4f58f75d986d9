import { DecisionRecordV1Schema } from '@stella/attest';
import { canonicalize, contentId, sha256Digest } from '@stella/canonical';
import { testPolicy } from './test-policy';
import { buildDecisionRecord, DECISION_ENGINE_VERSION, policyHashOf, type DecisionInput } from './decision-record';

const input: DecisionInput = {
  tenant: 'acme',
  release: { id: `sha256:${'a'.repeat(64)}`, name: 'shop', version: '1.4.2' },
  environment: { name: 'prod', policy: testPolicy({ approvals: { required: 1, approverRoles: [] } }) },
  path: { environments: ['dev', 'stage', 'prod'], allowSkip: false },
  verdict: 'deny',
  reasons: ['prod is frozen'],
  gates: [
    { name: 'freeze-window', result: 'fail', reasons: ['prod is frozen'], evidence: [{ name: 'freeze-windows', digest: `sha256:${'b'.repeat(64)}` }] },
    { name: 'approvals', result: 'pending', reasons: ['0 of 1 required approvals'], evidence: [] },
  ],
  approvals: [{ approver: 'user:bob', time: '2030-01-01T00:00:00.000Z', comment: 'ok' }],
  evaluatedAt: '2030-01-01T00:00:01.000Z',
};

describe('decision records', () => {
  it('are valid decision-record predicates v1 (docs/schemas/decision-record.predicate.v1.json)', () => {
    const { record } = buildDecisionRecord(input);
    expect(DecisionRecordV1Schema.safeParse(record).success).toBe(true);
    expect(record.engineVersion).toBe(DECISION_ENGINE_VERSION);
    expect(record.policyHash).toBe(policyHashOf(input));
  });

  it('have a content-derived id and a digest over their canonical JSON', () => {
    const built = buildDecisionRecord(input);
    const { decisionId, ...body } = built.record;
    expect(decisionId).toBe(contentId('dec', body));
    expect(built.canonical).toBe(canonicalize(built.record));
    expect(built.digest).toBe(sha256Digest(built.canonical));
    expect(buildDecisionRecord(input)).toEqual(built);
    expect(buildDecisionRecord({ ...input, evaluatedAt: '2030-01-01T00:00:02.000Z' }).id).not.toBe(built.id);
  });

  it('record a requirement still pending at decision time as not met', () => {
    const { record } = buildDecisionRecord(input);
    expect(record.gates[1]).toEqual({ name: 'approvals', result: 'fail', reasons: ['not satisfied: 0 of 1 required approvals'], inputs: [] });
  });

  it('change the policy hash when the policy or the path changes', () => {
    const other = { ...input, path: { environments: ['dev', 'prod'], allowSkip: false } };
    expect(policyHashOf(other)).not.toBe(policyHashOf(input));
  });
});

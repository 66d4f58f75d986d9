import type { DecisionRecordV1 } from '../predicates/decision-record-v1';

/** A complete, valid decision record used across the tests. */
export const sampleDecisionRecord: DecisionRecordV1 = {
  decisionId: 'dec_0192f1c2a7b84c55b1d0e3f4a5b6c7d8',
  releaseManifestDigest: `sha256:${'1f'.repeat(32)}`,
  release: { name: 'payments-api', version: '2.14.0' },
  environment: 'production',
  tenant: 'acme',
  verdict: 'allow',
  reasons: ['all gates passed'],
  gates: [
    {
      name: 'vulnerabilities',
      result: 'pass',
      reasons: ['no reachable critical findings'],
      inputs: [{ name: 'scan', digest: `sha256:${'2e'.repeat(32)}` }],
    },
    { name: 'sbom-freshness', result: 'warn', reasons: ['SBOM older than 7 days'], inputs: [] },
  ],
  policyHash: `sha256:${'3d'.repeat(32)}`,
  approvals: [{ identity: 'alice@acme.example', time: '2026-01-02T03:04:05Z', comment: 'ship it' }],
  feedSnapshotId: 'feed_20260102T0000Z',
  evaluatedAt: '2026-01-02T03:05:00.123Z',
  engineVersion: '0.1.0',
};

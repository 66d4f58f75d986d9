import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { sampleDecisionRecord } from '../__fixtures__/decision-record';
import { DecisionRecordV1Schema, decisionRecordV1JsonSchema } from './decision-record-v1';

const PUBLISHED_SCHEMA_PATH = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'docs',
  'schemas',
  'decision-record.predicate.v1.json',
);

const invalidRecords: [string, unknown][] = [
  ['an unknown verdict', { ...sampleDecisionRecord, verdict: 'maybe' }],
  ['an unknown field (closed schema)', { ...sampleDecisionRecord, score: 7 }],
  [
    'an unknown gate field',
    { ...sampleDecisionRecord, gates: [{ ...sampleDecisionRecord.gates[0], weight: 1 }] },
  ],
  [
    'an uppercase manifest digest',
    { ...sampleDecisionRecord, releaseManifestDigest: `sha256:${'1F'.repeat(32)}` },
  ],
  ['a policy hash without algorithm', { ...sampleDecisionRecord, policyHash: '3d'.repeat(32) }],
  [
    'a gate result outside pass|fail|warn',
    { ...sampleDecisionRecord, gates: [{ ...sampleDecisionRecord.gates[0], result: 'skip' }] },
  ],
  [
    'a gate input without digest',
    { ...sampleDecisionRecord, gates: [{ ...sampleDecisionRecord.gates[0], inputs: [{ name: 'scan' }] }] },
  ],
  ['an approval without time', { ...sampleDecisionRecord, approvals: [{ identity: 'bob' }] }],
  ['a non-UTC evaluatedAt', { ...sampleDecisionRecord, evaluatedAt: '2026-01-02T03:05:00+01:00' }],
  ['a missing tenant', { ...sampleDecisionRecord, tenant: undefined }],
  ['a release without version', { ...sampleDecisionRecord, release: { name: 'x' } }],
  ['an empty environment', { ...sampleDecisionRecord, environment: '' }],
  ['a decisionId with spaces', { ...sampleDecisionRecord, decisionId: 'dec 1' }],
];

describe('decision record predicate v1', () => {
  it('accepts a complete record and one without optional fields', () => {
    expect(DecisionRecordV1Schema.parse(sampleDecisionRecord)).toEqual(sampleDecisionRecord);
    const { feedSnapshotId: _f, ...minimal } = {
      ...sampleDecisionRecord,
      approvals: [{ identity: 'bob', time: '2026-01-02T03:04:05Z' }],
    };
    expect(DecisionRecordV1Schema.safeParse(minimal).success).toBe(true);
  });

  it.each(invalidRecords)('refuses %s', (_label, record) => {
    expect(DecisionRecordV1Schema.safeParse(JSON.parse(JSON.stringify(record))).success).toBe(false);
  });

  describe('published JSON Schema (docs/schemas/decision-record.predicate.v1.json)', () => {
    const published = JSON.parse(readFileSync(PUBLISHED_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
    const validate = ajv.compile(published);

    it('is exactly what the zod schema generates (regenerate with libs/attest/scripts/write-decision-record-schema.js)', () => {
      expect(published).toEqual(decisionRecordV1JsonSchema());
    });

    it('is a 2020-12 schema with a stable $id', () => {
      expect(published.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(published.$id).toBe('https://stella-ops.dev/schemas/decision-record.predicate.v1.json');
    });

    it('accepts the sample record', () => {
      expect(validate(sampleDecisionRecord)).toBe(true);
    });

    it.each(invalidRecords)('refuses %s like the zod schema', (_label, record) => {
      expect(validate(JSON.parse(JSON.stringify(record)))).toBe(false);
    });
  });
});

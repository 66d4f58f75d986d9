import { generateKeyPairSync } from 'node:crypto';
import { canonicalize } from '@stella/canonical';
import { sampleDecisionRecord } from './__fixtures__/decision-record';
import examples from './__fixtures__/spec-examples.json';
import { buildDecisionRecordStatement, signStatement, verifyAttestation } from './attestation';
import { serializeEnvelope, type DsseEnvelope } from './dsse/envelope';
import { signEnvelope } from './dsse/sign-envelope';
import { createKeySigner } from './dsse/signer';
import { isAttestError, type AttestErrorCode } from './errors';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, type Statement } from './intoto/statement';
import { DECISION_RECORD_V1 } from './predicates/decision-record-v1';
import { PredicateTypes } from './predicates/registry';

const ed = generateKeyPairSync('ed25519');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signers = [
  createKeySigner(ed.privateKey, { keyId: 'ed' }),
  createKeySigner(p256.privateKey, { keyId: 'p256' }),
];
const trusted = [
  { keyId: 'ed', publicKey: ed.publicKey },
  { keyId: 'p256', publicKey: p256.publicKey },
];

async function codeOf(promise: Promise<unknown>): Promise<AttestErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (isAttestError(error)) return error.code;
    throw error;
  }
}

async function signRaw(statement: unknown): Promise<DsseEnvelope> {
  return signEnvelope(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, signers);
}

describe('decision record attestations', () => {
  it('builds a statement whose subject is the release manifest', () => {
    const statement = buildDecisionRecordStatement(sampleDecisionRecord);
    expect(statement.predicateType).toBe(DECISION_RECORD_V1);
    expect(statement.subject).toEqual([{ name: 'payments-api@2.14.0', digest: { sha256: '1f'.repeat(32) } }]);
  });

  it('signs canonical JSON and verifies end to end with a 2-of-2 threshold', async () => {
    const statement = buildDecisionRecordStatement(sampleDecisionRecord);
    const envelope = await signStatement(statement, signers);
    expect(Buffer.from(envelope.payload, 'base64').toString()).toBe(canonicalize(statement));

    const verified = await verifyAttestation(envelope, trusted, {
      threshold: 2,
      predicateTypes: [DECISION_RECORD_V1],
      subjectDigest: sampleDecisionRecord.releaseManifestDigest,
    });
    expect(verified.statement.predicate).toEqual(sampleDecisionRecord);
    expect([...verified.verifiedKeyIds].sort()).toEqual(['ed', 'p256']);
  });

  it('is deterministic: the same record gives the same payload and the same Ed25519 envelope', async () => {
    const a = await signStatement(buildDecisionRecordStatement(sampleDecisionRecord), [signers[0]!]);
    const reordered = Object.fromEntries(
      Object.entries(sampleDecisionRecord).reverse(),
    ) as typeof sampleDecisionRecord;
    expect(Object.keys(reordered)[0]).toBe('engineVersion');
    const b = await signStatement(buildDecisionRecordStatement(reordered), [signers[0]!]);
    expect(b.payload).toBe(a.payload);
    expect(serializeEnvelope(b)).toBe(serializeEnvelope(a));
  });

  it('refuses a decision record whose payload is not canonical JSON', async () => {
    const statement = buildDecisionRecordStatement(sampleDecisionRecord);
    const envelope = await signRaw(JSON.parse(JSON.stringify(statement)));
    expect(await codeOf(verifyAttestation(envelope, trusted))).toBe('PAYLOAD_NOT_CANONICAL');
  });

  it('refuses a decision record whose subject is not its release manifest', async () => {
    const statement = buildStatement({
      subject: [{ name: 'other', digest: { sha256: 'aa'.repeat(32) } }],
      predicateType: DECISION_RECORD_V1,
      predicate: sampleDecisionRecord,
    });
    expect(await codeOf(verifyAttestation(await signStatement(statement, signers), trusted))).toBe(
      'SUBJECT_MISMATCH',
    );
  });

  it('refuses signing an invalid decision record', async () => {
    const statement = {
      ...buildDecisionRecordStatement(sampleDecisionRecord),
      predicate: { ...sampleDecisionRecord, verdict: 'maybe' },
    };
    expect(await codeOf(signStatement(statement as Statement<unknown>, signers))).toBe('PREDICATE_INVALID');
  });
});

describe('verifyAttestation', () => {
  const provenance = examples.slsaProvenanceStatement as Statement<unknown>;

  it('verifies third-party attestations without requiring canonical JSON', async () => {
    const envelope = await signRaw(provenance);
    const verified = await verifyAttestation(envelope, trusted, {
      predicateTypes: [PredicateTypes.SLSA_PROVENANCE_V1],
    });
    expect(verified.statement.predicate.buildDefinition.buildType).toBe(
      'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
    );
    expect(await codeOf(verifyAttestation(envelope, trusted, { requireCanonicalPayload: true }))).toBe(
      'PAYLOAD_NOT_CANONICAL',
    );
  });

  it('accepts predicate-specific in-toto payload types', async () => {
    const envelope = await signStatement(provenance, signers, {
      payloadType: 'application/vnd.in-toto.provenance+json',
    });
    expect((await verifyAttestation(envelope, trusted)).payloadType).toBe(
      'application/vnd.in-toto.provenance+json',
    );
  });

  it('refuses a non-in-toto payload type even when correctly signed', async () => {
    const envelope = await signEnvelope(Buffer.from(JSON.stringify(provenance)), 'application/json', signers);
    expect(await codeOf(verifyAttestation(envelope, trusted))).toBe('PAYLOAD_TYPE_UNSUPPORTED');
    expect(await codeOf(signStatement(provenance, signers, { payloadType: 'application/json' }))).toBe(
      'PAYLOAD_TYPE_UNSUPPORTED',
    );
  });

  it('refuses predicate types outside the accepted list and unknown ones by default', async () => {
    const envelope = await signRaw(provenance);
    expect(await codeOf(verifyAttestation(envelope, trusted, { predicateTypes: [DECISION_RECORD_V1] }))).toBe(
      'PREDICATE_TYPE_UNSUPPORTED',
    );
    const custom = await signRaw({ ...provenance, predicateType: 'https://example.com/custom/v1' });
    expect(await codeOf(verifyAttestation(custom, trusted))).toBe('PREDICATE_TYPE_UNSUPPORTED');
    expect(
      (await verifyAttestation(custom, trusted, { allowUnknownPredicate: true })).statement.predicateType,
    ).toBe('https://example.com/custom/v1');
    const listed = await verifyAttestation(custom, trusted, {
      predicateTypes: ['https://example.com/custom/v1'],
    });
    expect(listed.statement.predicate).toEqual(provenance.predicate);
  });

  it('refuses a signed payload that is not a valid Statement or predicate', async () => {
    expect(await codeOf(verifyAttestation(await signRaw({ ...provenance, _type: 'x' }), trusted))).toBe(
      'STATEMENT_INVALID',
    );
    const notJson = await signEnvelope(Buffer.from('{not json'), IN_TOTO_PAYLOAD_TYPE, signers);
    expect(await codeOf(verifyAttestation(notJson, trusted))).toBe('STATEMENT_INVALID');
    const badPredicate = await signRaw({ ...provenance, predicate: { buildDefinition: {} } });
    expect(await codeOf(verifyAttestation(badPredicate, trusted))).toBe('PREDICATE_INVALID');
  });

  it('checks the requested subject digest', async () => {
    const envelope = await signRaw(provenance);
    const digest = `sha256:${provenance.subject[0]!.digest!.sha256}`;
    expect(
      (await verifyAttestation(envelope, trusted, { subjectDigest: digest })).statement.subject,
    ).toHaveLength(1);
    expect(
      await codeOf(verifyAttestation(envelope, trusted, { subjectDigest: `sha256:${'00'.repeat(32)}` })),
    ).toBe('SUBJECT_MISMATCH');
  });

  it('verifies signatures before looking at the payload', async () => {
    const envelope = await signRaw(provenance);
    const forged = {
      ...envelope,
      payload: Buffer.from(JSON.stringify({ ...provenance, predicateType: 'x' })).toString('base64'),
    };
    expect(await codeOf(verifyAttestation(forged, trusted))).toBe('SIGNATURE_INVALID');
  });
});

import { PredicateTypes, type DecisionRecordV1 } from '@stella/attest';
import type { AnyCloudEvent } from '@stella/contracts';
import type { EntityManager } from 'typeorm';
import type { AttestationRepository, AttestationRow } from '../attestations/attestation.repository';
import type {
  RecordAttestationCommand,
  RecordAttestationUseCase,
} from '../attestations/record-attestation.usecase';
import type { AttestorEvents } from '../events/attestor-events';
import { AttestDecisionHandler, DECISION_SIGNING_PURPOSE } from './attest-decision.handler';
import type { SignerClient } from './signer-client';

const record: DecisionRecordV1 = {
  decisionId: 'dec_1',
  releaseManifestDigest: `sha256:${'1f'.repeat(32)}`,
  release: { name: 'payments-api', version: '2.14.0' },
  environment: 'production',
  tenant: 'acme',
  verdict: 'deny',
  reasons: ['critical finding'],
  gates: [],
  policyHash: `sha256:${'3d'.repeat(32)}`,
  approvals: [],
  evaluatedAt: '2026-01-02T03:05:00.123Z',
  engineVersion: '0.1.0',
};

const event = (data: Record<string, unknown>, type = 'stella.orchestrator.decision.recorded') =>
  ({ type, id: 'evt-1', data }) as unknown as AnyCloudEvent;

function setup(existing?: AttestationRow) {
  const signed: { payloadType: string; payload: Buffer; purpose: string }[] = [];
  const recorded: RecordAttestationCommand[] = [];
  const emitted: { type: string; data: Record<string, unknown> }[] = [];
  const signer: SignerClient = {
    sign: async (request) => {
      signed.push(request);
      return {
        keyId: 'key-1',
        envelope: {
          payload: request.payload.toString('base64'),
          payloadType: request.payloadType,
          signatures: [{ keyid: 'key-1', sig: 'c2ln' }],
        },
        certificateChain: ['leaf', 'root'],
        signedAt: '2026-01-02T03:05:01Z',
      };
    },
  };
  const useCase = {
    executeInTransaction: async (_m: EntityManager, command: RecordAttestationCommand) => {
      recorded.push(command);
      return {
        row: {
          attestationId: '6f1c1b7e-8d0e-4f55-9a57-2f7e8c1d0a11',
          envelopeDigest: `sha256:${'ee'.repeat(32)}`,
          logIndex: 7,
          checkpointSize: 8,
        },
      };
    },
  } as unknown as RecordAttestationUseCase;
  const repository = { byDecision: async () => existing } as unknown as AttestationRepository;
  const events = {
    record: async (_m: EntityManager, type: string, data: Record<string, unknown>) => {
      emitted.push({ type, data });
    },
  } as unknown as AttestorEvents;
  const handler = new AttestDecisionHandler(signer, useCase, repository, events, {
    now: () => new Date('2026-01-02T03:05:02Z'),
  });
  return { handler, signed, recorded, emitted };
}

describe('AttestDecisionHandler', () => {
  const manager = {} as EntityManager;
  const data = { tenantId: 'acme', decisionId: 'dec_1', record };

  test('signs the canonical decision-record statement, records it with its chain, and announces it', async () => {
    const { handler, signed, recorded, emitted } = setup();
    await handler.handle(event(data), manager);
    expect(signed).toHaveLength(1);
    expect(signed[0]!.purpose).toBe(DECISION_SIGNING_PURPOSE);
    const statement = JSON.parse(signed[0]!.payload.toString('utf8'));
    expect(statement.predicateType).toBe(PredicateTypes.DECISION_RECORD_V1);
    expect(statement.predicate).toEqual(record);
    expect(recorded[0]).toMatchObject({
      tenantId: 'acme',
      decisionId: 'dec_1',
      certificateChain: ['leaf', 'root'],
    });
    expect(emitted).toEqual([
      {
        type: 'stella.attestor.decision.attested',
        data: {
          tenantId: 'acme',
          decisionId: 'dec_1',
          attestationId: '6f1c1b7e-8d0e-4f55-9a57-2f7e8c1d0a11',
          releaseManifestDigest: record.releaseManifestDigest,
          envelopeDigest: `sha256:${'ee'.repeat(32)}`,
          keyId: 'key-1',
          logIndex: 7,
          checkpointSize: 8,
        },
      },
    ]);
  });

  test('a decision already attested is not signed again', async () => {
    const { handler, signed, emitted } = setup({ attestationId: 'x' } as AttestationRow);
    await handler.handle(event(data), manager);
    expect(signed).toHaveLength(0);
    expect(emitted).toHaveLength(0);
  });

  test('other event types are ignored; an invalid record is refused before signing', async () => {
    const { handler, signed } = setup();
    await handler.handle(event(data, 'stella.orchestrator.release.created'), manager);
    expect(signed).toHaveLength(0);
    await expect(
      handler.handle(event({ ...data, record: { ...record, verdict: 'maybe' } }), manager),
    ).rejects.toMatchObject({
      code: 'PREDICATE_INVALID',
    });
    await expect(handler.handle(event({ tenantId: 'acme' }), manager)).rejects.toThrow();
    expect(signed).toHaveLength(0);
  });
});

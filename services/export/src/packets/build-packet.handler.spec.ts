import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@stella/canonical';
import type { AnyCloudEvent } from '@stella/contracts';
import { readArchive, verifyArchive } from '@stella/evidence';
import { createPacketFixture, type PacketFixture } from '@stella/evidence/src/testing/packet-fixture';
import { createLogger } from '@stella/observability';
import type { EntityManager } from 'typeorm';
import type { AttestorClient } from '../clients/attestor-client';
import type { PolicyEvidenceClient } from '../clients/policy-client';
import { ExportError } from '../common/export-error';
import type { ExportEvents } from '../events/export-events';
import type { ObjectStore } from '../storage/object-store';
import { BuildPacketHandler, packetKey } from './build-packet.handler';
import type { DecisionRow, ExportRepository, PacketRow } from './export.repository';

// The handler with every port faked (repository, attestor, store, events); the packet, its
// signature and its verification are real (libs/evidence fixture: openssl CA, in-memory log).
describe('BuildPacketHandler', () => {
  let fixture: PacketFixture;
  let policyFixture: PacketFixture;
  const manager = {} as EntityManager;
  const golden = join(__dirname, '..', '..', '..', '..', 'libs', 'policy-engine', 'src', 'golden');
  const policySource = readFileSync(join(golden, 'policy.yaml'), 'utf8');
  const inputDocument = canonicalize((JSON.parse(readFileSync(join(golden, 'dev-allows-with-warnings.json'), 'utf8')) as { input: unknown }).input);

  beforeAll(async () => {
    fixture = await createPacketFixture({ logSize: 11 });
    policyFixture = await createPacketFixture({ logSize: 11, policy: { source: policySource, inputDocument } });
  });

  const noPolicy: PolicyEvidenceClient = { evaluationBodies: async () => Promise.reject(new Error('no policy gate in this decision')) };

  function ports(options: { decision?: boolean; release?: boolean; fixture?: PacketFixture; policy?: PolicyEvidenceClient } = {}) {
    const fx = options.fixture ?? fixture;
    const record = fx.input.record;
    const packets: PacketRow[] = [];
    const objects = new Map<string, Buffer>();
    const events: unknown[] = [];
    const decision: DecisionRow = {
      tenantId: 'acme',
      decisionId: record.decisionId,
      promotionId: 'p1',
      environment: record.environment,
      verdict: record.verdict,
      releaseDigest: record.releaseManifestDigest,
      evaluatedAt: new Date(record.evaluatedAt),
      record: canonicalize(record),
      inputs: canonicalize(fx.input.inputs),
    };
    const repository = {
      packetExists: async () => packets.length > 0,
      decision: async () => (options.decision === false ? undefined : decision),
      releaseManifest: async () => (options.release === false ? undefined : canonicalize(fx.input.releaseManifest)),
      insertPacket: async (_m: EntityManager, row: PacketRow) => void packets.push(row),
    } as unknown as ExportRepository;
    const attestor: AttestorClient = {
      decisionAttestation: async () => ({
        attestationId: '0f8fad5b-d9cb-469f-a165-70867728950f',
        certificateChain: [...fx.input.certificateChain],
        checkpoint: fx.input.checkpoint,
        inclusionProof: fx.input.inclusionProof,
        entryData: fx.input.envelopeBytes,
        integratedAt: fx.input.signingTime,
      }),
      attestationsAbout: async () => [...fx.input.attestations],
      logKey: async () => ({ origin: fx.logOrigin, vkey: fx.logKey }),
    };
    const store = { put: async (key: string, data: Buffer) => void objects.set(key, data) } as unknown as ObjectStore;
    const exportEvents = { record: async (_m: EntityManager, type: string, data: unknown) => void events.push({ type, data }) } as unknown as ExportEvents;
    const handler = new BuildPacketHandler(
      repository,
      attestor,
      fx.signer,
      store,
      { regulatedEnvironments: ['prod'], standardDays: 365, regulatedDays: 2557 },
      { now: () => new Date(fx.input.signingTime) },
      createLogger({ service: 'export-test', level: 'silent' }),
      exportEvents,
      options.policy ?? noPolicy,
    );
    return { handler, packets, objects, events };
  }

  function attested(fx: PacketFixture = fixture): AnyCloudEvent {
    const { sha256Digest } = require('@stella/canonical') as typeof import('@stella/canonical');
    return {
      specversion: '1.0',
      id: '0192f5a0-0000-7000-8000-000000000001',
      source: '/stella/attestor',
      type: 'stella.attestor.decision.attested',
      time: fx.input.signingTime,
      data: {
        tenantId: 'acme',
        decisionId: fx.input.record.decisionId,
        attestationId: '0f8fad5b-d9cb-469f-a165-70867728950f',
        releaseManifestDigest: fx.input.record.releaseManifestDigest,
        envelopeDigest: sha256Digest(fx.input.envelopeBytes),
        keyId: 'k1',
        logIndex: fx.input.inclusionProof.logIndex,
        checkpointSize: fx.input.inclusionProof.treeSize,
      },
    } as unknown as AnyCloudEvent;
  }

  it('stores a packet that verifies, indexes it under its retention class and announces it; a redelivery does nothing', async () => {
    const { handler, packets, objects, events } = ports();
    await handler.handle(attested(), manager);
    expect(packets).toHaveLength(1);
    expect(packets[0]).toMatchObject({ decisionId: fixture.input.record.decisionId, retentionClass: 'regulated', objectKey: packetKey('acme', fixture.input.record.decisionId) });
    const stored = objects.get(packets[0]!.objectKey)!;
    expect((await verifyArchive(stored, { caPem: fixture.pki.caPem, logKey: fixture.logKey })).ok).toBe(true);
    expect(stored.equals(fixture.packet.archive)).toBe(true); // same decision, same bytes
    expect(events).toEqual([expect.objectContaining({ type: 'stella.export.packet.stored' })]);
    await handler.handle(attested(), manager);
    expect(packets).toHaveLength(1);
    expect((await readArchive(stored)).has('decision/inputs.json')).toBe(true);
  });

  it('asks for a redelivery (throws) while the decision or the release has not arrived', async () => {
    await expect(ports({ decision: false }).handler.handle(attested(), manager)).rejects.toMatchObject({ code: 'DECISION_NOT_RECEIVED' });
    await expect(ports({ release: false }).handler.handle(attested(), manager)).rejects.toMatchObject({ code: 'DECISION_NOT_RECEIVED' });
  });

  it('refuses a log entry that is not the attested envelope', async () => {
    const { handler } = ports();
    const event = attested();
    (event.data as { envelopeDigest: string }).envelopeDigest = `sha256:${'0'.repeat(64)}`;
    await expect(handler.handle(event, manager)).rejects.toMatchObject({ code: 'ATTESTOR_UNAVAILABLE' });
  });

  describe('with a policy-gated decision (the record references the evaluation)', () => {
    it('fetches the policy source and input, packs them, and the packet verifies and is the same bytes', async () => {
      const asked: string[] = [];
      const policy: PolicyEvidenceClient = {
        evaluationBodies: async (tenantId, evaluationId) => {
          asked.push(`${tenantId}/${evaluationId}`);
          return { policySource, inputDocument };
        },
      };
      const { handler, packets, objects } = ports({ fixture: policyFixture, policy });
      await handler.handle(attested(policyFixture), manager);
      expect(asked).toEqual(['acme/eval-test']);
      const stored = objects.get(packets[0]!.objectKey)!;
      expect(stored.equals(policyFixture.packet.archive)).toBe(true);
      expect((await verifyArchive(stored, { caPem: policyFixture.pki.caPem, logKey: policyFixture.logKey })).ok).toBe(true);
      const files = await readArchive(stored);
      expect(files.get('policy/source.yaml')!.toString('utf8')).toBe(policySource);
      expect(files.get('policy/input.json')!.toString('utf8')).toBe(inputDocument);
    });

    it('retries (throws, stores nothing) while the policy service is down', async () => {
      const down: PolicyEvidenceClient = {
        evaluationBodies: async () => Promise.reject(new ExportError('POLICY_UNAVAILABLE', 'the policy service did not answer')),
      };
      const { handler, packets, objects } = ports({ fixture: policyFixture, policy: down });
      await expect(handler.handle(attested(policyFixture), manager)).rejects.toMatchObject({ code: 'POLICY_UNAVAILABLE' });
      expect(packets).toEqual([]);
      expect(objects.size).toBe(0);
    });

    it('refuses (throws, stores nothing) bodies that are not the recorded ones', async () => {
      const other: PolicyEvidenceClient = {
        evaluationBodies: async () => ({ policySource, inputDocument: canonicalize({ ...(JSON.parse(inputDocument) as object), environment: 'prod' }) }),
      };
      const { handler, packets, objects } = ports({ fixture: policyFixture, policy: other });
      await expect(handler.handle(attested(policyFixture), manager)).rejects.toMatchObject({
        code: 'POLICY_EVIDENCE_MISMATCH',
        message: expect.stringContaining('the decision recorded'),
      });
      expect(packets).toEqual([]);
      expect(objects.size).toBe(0);
    });
  });
});

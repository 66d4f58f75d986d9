import { canonicalize } from '@stella/canonical';
import type { AnyCloudEvent } from '@stella/contracts';
import { readArchive, verifyArchive } from '@stella/evidence';
import { createPacketFixture, type PacketFixture } from '@stella/evidence/src/testing/packet-fixture';
import { createLogger } from '@stella/observability';
import type { EntityManager } from 'typeorm';
import type { AttestorClient } from '../clients/attestor-client';
import type { ExportEvents } from '../events/export-events';
import type { ObjectStore } from '../storage/object-store';
import { BuildPacketHandler, packetKey } from './build-packet.handler';
import type { DecisionRow, ExportRepository, PacketRow } from './export.repository';

// The handler with every port faked (repository, attestor, store, events); the packet, its
// signature and its verification are real (libs/evidence fixture: openssl CA, in-memory log).
describe('BuildPacketHandler', () => {
  let fx: PacketFixture;
  const manager = {} as EntityManager;

  beforeAll(async () => {
    fx = await createPacketFixture({ logSize: 11 });
  });

  function ports(options: { decision?: boolean; release?: boolean } = {}) {
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
    );
    return { handler, packets, objects, events };
  }

  function attested(): AnyCloudEvent {
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
    expect(packets[0]).toMatchObject({ decisionId: fx.input.record.decisionId, retentionClass: 'regulated', objectKey: packetKey('acme', fx.input.record.decisionId) });
    const stored = objects.get(packets[0]!.objectKey)!;
    expect((await verifyArchive(stored, { caPem: fx.pki.caPem, logKey: fx.logKey })).ok).toBe(true);
    expect(stored.equals(fx.packet.archive)).toBe(true); // same decision, same bytes
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
});

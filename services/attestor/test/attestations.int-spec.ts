import { buildDecisionRecordStatement, statementBytes, type DecisionRecordV1 } from '@stella/attest';
import { connectBus, defineStream, ensureStreams, type Bus } from '@stella/bus';
import { buildEvent, encodeEvent } from '@stella/contracts';
import { leafHash, openCheckpoint, verifyInclusion } from '@stella/tlog';
import { Client } from 'pg';
import request from 'supertest';
import { DECISION_CONSUMER } from '../src/attestor.module';
import { signWith, startAttestor, type AttestorHarness } from './attestor-harness';

const record: DecisionRecordV1 = {
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
      reasons: [],
      inputs: [{ name: 'scan', digest: `sha256:${'2e'.repeat(32)}` }],
    },
  ],
  policyHash: `sha256:${'3d'.repeat(32)}`,
  approvals: [],
  evaluatedAt: '2026-01-02T03:05:00.123Z',
  engineVersion: '0.1.0',
};

const fromB64 = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'base64'));

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('attestations', () => {
  let h: AttestorHarness;
  let pg: Client;
  let vkey: string;

  beforeAll(async () => {
    h = await startAttestor({ attestorDecisionConsumer: false });
    pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
    vkey = (await request(h.url).get('/api/v1/log/key').expect(200)).body.vkey;
  });

  afterAll(async () => {
    await pg?.end();
    await h?.close();
  });

  const statement = (name: string) =>
    statementBytes(
      buildDecisionRecordStatement({
        ...record,
        decisionId: `dec_${name}`,
        release: { name, version: '1.0.0' },
      }),
    );

  test('verifies against the certificate chain, logs, stores, and answers with a verifiable inclusion proof', async () => {
    const token = await h.tokens.mint();
    const envelope = signWith(h.pki.leafKey, statement('svc-a'));
    const res = await request(h.url)
      .post('/api/v1/attestations')
      .set('Authorization', `Bearer ${token}`)
      .send({ envelope, certificateChain: [h.pki.leafPem, h.pki.caPem] })
      .expect(201);
    expect(res.body.predicateType).toBe('https://stella-ops.dev/attestations/decision-record/v1');
    expect(res.body.subjectDigests).toEqual([`sha256:${'1f'.repeat(32)}`]);
    const checkpoint = openCheckpoint(res.body.checkpoint, [vkey]);
    const entry = await request(h.url).get(`/api/v1/log/entries/${res.body.logIndex}`).expect(200);
    const data = Buffer.from(entry.body.data, 'base64');
    expect(JSON.parse(data.toString('utf8'))).toEqual(envelope);
    verifyInclusion(
      leafHash(data),
      res.body.logIndex,
      checkpoint.size,
      fromB64(res.body.inclusionProof.hashes),
      checkpoint.rootHash,
    );

    const again = await request(h.url)
      .post('/api/v1/attestations')
      .set('Authorization', `Bearer ${token}`)
      .send({ envelope, certificateChain: [h.pki.leafPem, h.pki.caPem] })
      .expect(200);
    expect(again.body.attestationId).toBe(res.body.attestationId);

    const list = await request(h.url)
      .get(`/api/v1/attestations?subject=sha256:${'1f'.repeat(32)}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(list.body.attestations.map((a: { attestationId: string }) => a.attestationId)).toContain(
      res.body.attestationId,
    );
    const one = await request(h.url)
      .get(`/api/v1/attestations/${res.body.attestationId}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(one.body.envelope).toEqual(envelope);
    expect(one.body.certificateChain).toEqual([h.pki.leafPem, h.pki.caPem]);

    const events = await pg.query(
      `SELECT count(*)::int AS n FROM "${h.schema.schema}".stella_outbox WHERE event_type = 'stella.attestor.attestation.recorded'`,
    );
    expect(events.rows[0].n).toBe(1);
  });

  test('another tenant sees nothing', async () => {
    const other = await h.tokens.mint({ tenant: 'globex' });
    const list = await request(h.url)
      .get(`/api/v1/attestations?subject=sha256:${'1f'.repeat(32)}`)
      .set('Authorization', `Bearer ${other}`)
      .expect(200);
    expect(list.body.attestations).toEqual([]);
  });

  test.each([
    [
      'a malformed envelope',
      () => ({ envelope: { payload: 'x', signatures: [] } }),
      400,
      'ENVELOPE_MALFORMED',
    ],
    ['an envelope that is not JSON object', () => ({ envelope: 42 }), 400, 'ENVELOPE_MALFORMED'],
    [
      'a signature by a key certified by another CA',
      (h: AttestorHarness) => ({
        envelope: signWith(h.pki.strangerLeafKey, statement('svc-b')),
        certificateChain: [h.pki.strangerLeafPem],
      }),
      422,
      'CERTIFICATE_UNTRUSTED',
    ],
    [
      'a signature that does not match the certified key',
      (h: AttestorHarness) => ({
        envelope: signWith(h.pki.strangerLeafKey, statement('svc-c')),
        certificateChain: [h.pki.leafPem],
      }),
      422,
      'SIGNATURE_UNTRUSTED',
    ],
    [
      'a tampered payload',
      (h: AttestorHarness) => {
        const envelope = signWith(h.pki.leafKey, statement('svc-d'));
        return {
          envelope: { ...envelope, payload: Buffer.from(statement('svc-e')).toString('base64') },
          certificateChain: [h.pki.leafPem],
        };
      },
      422,
      'SIGNATURE_UNTRUSTED',
    ],
    [
      'no certificate and no configured trusted key',
      (h: AttestorHarness) => ({ envelope: signWith(h.pki.leafKey, statement('svc-f')) }),
      422,
      'SIGNATURE_UNTRUSTED',
    ],
    [
      'a payload that is not an in-toto statement',
      (h: AttestorHarness) => ({
        envelope: signWith(h.pki.leafKey, Buffer.from('{"hello":1}')),
        certificateChain: [h.pki.leafPem],
      }),
      422,
      'STATEMENT_INVALID',
    ],
  ])('refuses %s', async (_label, build, status, code) => {
    const token = await h.tokens.mint();
    const res = await request(h.url)
      .post('/api/v1/attestations')
      .set('Authorization', `Bearer ${token}`)
      .send(build(h))
      .expect(status);
    expect(res.body.code).toBe(code);
  });

  test('writing needs attest:write, reading attest:read', async () => {
    const reader = await h.tokens.mint({ scope: 'attest:read' });
    await request(h.url)
      .post('/api/v1/attestations')
      .set('Authorization', `Bearer ${reader}`)
      .send({ envelope: signWith(h.pki.leafKey, statement('svc-g')), certificateChain: [h.pki.leafPem] })
      .expect(403);
    const writer = await h.tokens.mint({ scope: 'attest:write' });
    await request(h.url)
      .get(`/api/v1/attestations?subject=sha256:${'1f'.repeat(32)}`)
      .set('Authorization', `Bearer ${writer}`)
      .expect(403);
  });
});

describe('decision records from the orchestrator', () => {
  let h: AttestorHarness;
  let bus: Bus;
  let pg: Client;
  const orchestrator = defineStream({ name: 'ORCHESTRATOR', subjects: ['orchestrator.>'], maxAgeDays: 1 });

  beforeAll(async () => {
    h = await startAttestor();
    bus = await connectBus({ servers: h.nats.servers, name: 'orchestrator-test', prefix: h.nats.prefix });
    // The orchestrator owns this stream; the attestor waits for it to appear.
    await ensureStreams(bus, [orchestrator]);
    pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await bus?.close();
    await h?.close();
  });

  const consumerSettled = (streamSeq: number) =>
    eventually(async () => {
      try {
        const info = await bus.jsm.consumers.info(`${h.nats.streamPrefix}_ORCHESTRATOR`, DECISION_CONSUMER);
        return info.delivered.stream_seq >= streamSeq && info.num_ack_pending === 0 && info.num_pending === 0
          ? info
          : undefined;
      } catch {
        return undefined;
      }
    }, `the decision consumer to settle at stream sequence ${streamSeq}`);

  test('a decision becomes a signed, logged, stored attestation with its event, exactly once despite redelivery', async () => {
    h.signer.failNext = 1; // the first attempt fails: the message is redelivered
    const event = buildEvent('stella.orchestrator.decision.recorded', {
      source: '/stella/orchestrator',
      tenant: 'acme',
      subject: record.decisionId,
      data: {
        tenantId: 'acme',
        decisionId: record.decisionId,
        promotionId: 'prm_1',
        verdict: 'allow',
        environment: 'production',
        releaseManifestDigest: record.releaseManifestDigest,
        recordDigest: `sha256:${'ab'.repeat(32)}`,
        record: record as unknown as Record<string, unknown>,
      },
    } as never);
    const subject = `${h.nats.prefix}.orchestrator.decision.recorded`;
    // Published twice under different message ids, so JetStream's own dedup does not hide the duplicate.
    await bus.js.publish(subject, encodeEvent(event), { msgID: `${event.id}-a` });
    await bus.js.publish(subject, encodeEvent(event), { msgID: `${event.id}-b` });
    await consumerSettled(2);

    const rows = await pg.query(`SELECT * FROM "${h.schema.schema}".attestations WHERE decision_id = $1`, [
      record.decisionId,
    ]);
    expect(rows.rows).toHaveLength(1);
    expect(h.signer.requests).toBeGreaterThanOrEqual(2);
    const attested = await pg.query(
      `SELECT body FROM "${h.schema.schema}".stella_outbox WHERE event_type = 'stella.attestor.decision.attested'`,
    );
    expect(attested.rows).toHaveLength(1);
    const data = JSON.parse(Buffer.from(attested.rows[0].body).toString('utf8')).data;
    expect(data).toMatchObject({
      decisionId: record.decisionId,
      releaseManifestDigest: record.releaseManifestDigest,
      logIndex: expect.any(Number),
    });

    const token = await h.tokens.mint();
    const stored = await request(h.url)
      .get(`/api/v1/attestations/${data.attestationId}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const payload = JSON.parse(Buffer.from(stored.body.envelope.payload, 'base64').toString('utf8'));
    expect(payload.predicate).toEqual(record);
    const vkey = (await request(h.url).get('/api/v1/log/key').expect(200)).body.vkey;
    const checkpoint = openCheckpoint(stored.body.checkpoint, [vkey]);
    const envelopeBytes = Buffer.from(
      (await request(h.url).get(`/api/v1/log/entries/${data.logIndex}`).expect(200)).body.data,
      'base64',
    );
    verifyInclusion(
      leafHash(envelopeBytes),
      data.logIndex,
      checkpoint.size,
      fromB64(stored.body.inclusionProof.hashes),
      checkpoint.rootHash,
    );
    const leaves = await pg.query(`SELECT count(*)::int AS n FROM "${h.schema.schema}".tlog_leaves`);
    expect(leaves.rows[0].n).toBe(1);
  });
});

import { createHash, X509Certificate } from 'node:crypto';
import { verifyEnvelope } from '@stella/attest';
import { connect, headers, type NatsConnection } from 'nats';
import { Client } from 'pg';
import request from 'supertest';
import { chainProblemsAt } from '../src/ca/x509';
import { signerConfigSchema } from '../src/config/signer-config';
import { signBatchSubject, signSubject } from '../src/nats/sign-responder';
import { startSigner, type SignerHarness } from './signer-harness';

const payload = Buffer.from(JSON.stringify({ hello: 'world' }));
const body = (extra: Record<string, unknown> = {}) => ({
  payloadType: 'application/vnd.in-toto+json',
  payload: payload.toString('base64'),
  purpose: 'integration-test',
  ...extra,
});

describe('signer service', () => {
  let h: SignerHarness;
  let nc: NatsConnection;
  let pg: Client;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    h = await startSigner({}, clock);
    nc = await connect({ servers: h.nats.servers });
    pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await nc?.close();
    await h?.close();
  });

  const natsSign = async (token: string | undefined, data: unknown) => {
    const hdrs = headers();
    if (token !== undefined) hdrs.set('Authorization', `Bearer ${token}`);
    const reply = await nc.request(signSubject(h.nats.prefix), Buffer.from(JSON.stringify(data)), {
      timeout: 10_000,
      headers: hdrs,
    });
    return {
      body: JSON.parse(Buffer.from(reply.data).toString('utf8')),
      error: reply.headers?.get('Stella-Error'),
    };
  };

  test('publishes a root CA certificate to pin, and the signing key certificate it issued', async () => {
    const ca = await request(h.url).get('/api/v1/ca').expect(200);
    expect(ca.headers['content-type']).toMatch(/application\/x-pem-file/);
    const root = new X509Certificate(ca.text);
    expect(root.ca).toBe(true);
    const keys = await request(h.url).get('/api/v1/keys').expect(200);
    expect(keys.body.keys).toHaveLength(1);
    expect(keys.body.keys[0]).toMatchObject({ status: 'active', algorithm: 'ed25519' });
    expect(chainProblemsAt(keys.body.keys[0].certificatePem, ca.text, new Date())).toEqual([]);
  });

  test('REST: signs a DSSE payload, the signature verifies against the certified key, and it is audited with an event', async () => {
    const token = await h.tokens.mint();
    const res = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    const [leaf, root] = res.body.certificateChain as [string, string];
    expect(chainProblemsAt(leaf, root, new Date(res.body.signedAt))).toEqual([]);
    const verified = await verifyEnvelope(res.body.envelope, [
      { keyId: res.body.keyId, publicKey: new X509Certificate(leaf).publicKey },
    ]);
    expect(verified.payload.equals(payload)).toBe(true);
    const audit = await pg.query(`SELECT * FROM "${h.schema.schema}".signer_audit WHERE audit_id = $1`, [
      res.body.auditId,
    ]);
    expect(audit.rows[0]).toMatchObject({
      client_id: 'ci-pipeline',
      tenant_id: 'acme',
      purpose: 'integration-test',
      transport: 'http',
      key_id: res.body.keyId,
      payload_sha256: createHash('sha256').update(payload).digest('hex'),
      signature_sha256: createHash('sha256').update(Buffer.from(res.body.signature, 'base64')).digest('hex'),
    });
    const events = await pg.query(
      `SELECT body FROM "${h.schema.schema}".stella_outbox WHERE event_type = 'stella.signer.signature.created'`,
    );
    const data = events.rows.map(
      (row: { body: Buffer | string }) => JSON.parse(Buffer.from(row.body).toString('utf8')).data,
    );
    expect(data).toContainEqual(
      expect.objectContaining({
        auditId: res.body.auditId,
        purpose: 'integration-test',
        clientId: 'ci-pipeline',
      }),
    );
  });

  test('NATS request/reply: signs with a bearer token header', async () => {
    const token = await h.tokens.mint({ clientId: 'attestor' });
    const reply = await natsSign(token, body({ purpose: 'decision-record' }));
    expect(reply.body.ok).toBe(true);
    const { result } = reply.body;
    await expect(
      verifyEnvelope(result.envelope, [
        { publicKey: new X509Certificate(result.certificateChain[0]).publicKey },
      ]),
    ).resolves.toMatchObject({ payloadType: 'application/vnd.in-toto+json' });
    const audit = await pg.query(
      `SELECT transport, client_id FROM "${h.schema.schema}".signer_audit WHERE audit_id = $1`,
      [result.auditId],
    );
    expect(audit.rows[0]).toEqual({ transport: 'nats', client_id: 'attestor' });
  });

  test('batches: several payloads in one request (REST and NATS), each signed and audited; one bad item refuses all', async () => {
    const token = await h.tokens.mint({ clientId: 'batcher' });
    const payloads = [0, 1, 2].map((i) => Buffer.from(`payload ${i}`));
    const requests = payloads.map((p) => ({
      payloadType: 'text/plain',
      payload: p.toString('base64'),
      purpose: 'batch-test',
    }));
    const rest = await request(h.url)
      .post('/api/v1/sign/batch')
      .set('Authorization', `Bearer ${token}`)
      .send({ requests })
      .expect(200);
    expect(rest.body.results).toHaveLength(3);
    for (const [i, result] of rest.body.results.entries()) {
      const verified = await verifyEnvelope(result.envelope, [
        { publicKey: new X509Certificate(result.certificateChain[0]).publicKey },
      ]);
      expect(verified.payload.equals(payloads[i]!)).toBe(true);
    }
    const hdrs = headers();
    hdrs.set('Authorization', `Bearer ${token}`);
    const reply = await nc.request(
      signBatchSubject(h.nats.prefix),
      Buffer.from(JSON.stringify({ requests })),
      { timeout: 10_000, headers: hdrs },
    );
    const nats = JSON.parse(Buffer.from(reply.data).toString('utf8'));
    expect(nats.ok).toBe(true);
    expect(nats.results).toHaveLength(3);
    const audit = await pg.query(
      `SELECT count(*)::int AS n FROM "${h.schema.schema}".signer_audit WHERE client_id = 'batcher'`,
    );
    expect(audit.rows[0].n).toBe(6);
    const bad = await request(h.url)
      .post('/api/v1/sign/batch')
      .set('Authorization', `Bearer ${token}`)
      .send({ requests: [requests[0], { ...requests[1], payload: '%%%' }] })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST', index: 1 });
    await request(h.url)
      .post('/api/v1/sign/batch')
      .set('Authorization', `Bearer ${token}`)
      .send({ requests: [] })
      .expect(400);
  });

  test('refuses a request without a token, or without the signer:sign scope (REST and NATS)', async () => {
    const none = await request(h.url).post('/api/v1/sign').send(body()).expect(401);
    expect(none.body.code).toBe('TOKEN_MISSING');
    const token = await h.tokens.mint({ scope: 'release:read' });
    const scoped = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(403);
    expect(scoped.body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await natsSign(undefined, body())).body.error).toMatchObject({
      code: 'TOKEN_MISSING',
      status: 401,
    });
    const refused = await natsSign(token, body());
    expect(refused.error).toBe('INSUFFICIENT_SCOPE');
    expect(refused.body.error.status).toBe(403);
  });

  test('refuses malformed requests with the offending fields', async () => {
    const token = await h.tokens.mint();
    const bad = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body({ payload: 'not base64!', extra: 1 }))
      .expect(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['payload']));
    const nats = await natsSign(token, { payloadType: '' });
    expect(nats.body.error.code).toBe('INVALID_REQUEST');
  });

  test('refuses an unknown key id', async () => {
    const token = await h.tokens.mint();
    const res = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body({ keyId: 'f'.repeat(64) }))
      .expect(404);
    expect(res.body).toMatchObject({ code: 'KEY_NOT_FOUND', type: 'urn:stella:problem:key-not-found' });
  });

  test('rotation: the old key stops signing, its earlier signature still verifies with the chain valid at signing time', async () => {
    const token = await h.tokens.mint();
    const before = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    const admin = await h.tokens.mint({ scope: 'signer:admin', clientId: 'operator' });
    const rotated = await request(h.url)
      .post('/api/v1/keys/rotate')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(rotated.body.keyId).not.toBe(before.body.keyId);
    const old = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body({ keyId: before.body.keyId }))
      .expect(409);
    expect(old.body.code).toBe('KEY_RETIRED');
    const keys = await request(h.url).get('/api/v1/keys').expect(200);
    const oldKey = keys.body.keys.find((k: { keyId: string }) => k.keyId === before.body.keyId);
    expect(oldKey.status).toBe('retired');
    const [leaf, root] = before.body.certificateChain;
    expect(oldKey.certificatePem).toBe(leaf);
    expect(chainProblemsAt(leaf, root, new Date(before.body.signedAt))).toEqual([]);
    await verifyEnvelope(before.body.envelope, [
      { publicKey: new X509Certificate(oldKey.certificatePem).publicKey },
    ]);
    const after = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    expect(after.body.keyId).toBe(rotated.body.keyId);
    const noScope = await request(h.url)
      .post('/api/v1/keys/rotate')
      .set('Authorization', `Bearer ${token}`)
      .expect(403);
    expect(noScope.body.code).toBe('INSUFFICIENT_SCOPE');
  });

  test('revocation: a revoked key is refused and a fresh key takes over', async () => {
    const token = await h.tokens.mint();
    const admin = await h.tokens.mint({ scope: 'signer:admin', clientId: 'operator' });
    const current = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    await request(h.url)
      .post(`/api/v1/keys/${current.body.keyId}/revoke`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ reason: 'key compromise drill' })
      .expect(200);
    const refused = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body({ keyId: current.body.keyId }))
      .expect(409);
    expect(refused.body.code).toBe('KEY_REVOKED');
    const next = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    expect(next.body.keyId).not.toBe(current.body.keyId);
    const events = await pg.query(
      `SELECT event_type FROM "${h.schema.schema}".stella_outbox WHERE event_type IN ('stella.signer.key.revoked', 'stella.signer.key.rotated')`,
    );
    expect(events.rows.map((r: { event_type: string }) => r.event_type)).toEqual(
      expect.arrayContaining(['stella.signer.key.revoked', 'stella.signer.key.rotated']),
    );
  });

  test('an expired certificate signs nothing', async () => {
    const token = await h.tokens.mint();
    offsetMs = 400 * 86_400_000;
    try {
      const res = await request(h.url)
        .post('/api/v1/sign')
        .set('Authorization', `Bearer ${token}`)
        .send(body())
        .expect(409);
      expect(res.body.code).toBe('CERTIFICATE_EXPIRED');
    } finally {
      offsetMs = 0;
    }
  });

  test('each client is rate limited (429 with Retry-After), independently of others', async () => {
    const limited = await h.boot({
      signerRateLimitPerSec: 1,
      signerRateLimitBurst: 2,
      signerNatsEnabled: false,
    });
    const token = await h.tokens.mint({ clientId: 'noisy' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await request(limited.url)
        .post('/api/v1/sign')
        .set('Authorization', `Bearer ${token}`)
        .send(body());
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.code).toBe('RATE_LIMITED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([200, 200, 429]);
    const other = await h.tokens.mint({ clientId: 'quiet' });
    await request(limited.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${other}`)
      .send(body())
      .expect(200);
  });
});

describe('signer FIPS profile', () => {
  test('refuses Ed25519 as the key algorithm at configuration time', () => {
    expect(() =>
      signerConfigSchema.parse({
        httpPort: 0,
        databaseUrl: 'postgres://x/y',
        signerProfile: 'fips',
        signerKeyAlgorithm: 'ed25519',
      }),
    ).toThrow(/fips profile allows only ecdsa-p256/);
  });

  test('signs with an ECDSA P-256 key under the fips profile', async () => {
    const h = await startSigner({ signerProfile: 'fips', signerKeyAlgorithm: 'ecdsa-p256' });
    try {
      const token = await h.tokens.mint();
      const res = await request(h.url)
        .post('/api/v1/sign')
        .set('Authorization', `Bearer ${token}`)
        .send(body())
        .expect(200);
      expect(res.body.algorithm).toBe('ecdsa-p256-sha256');
      const cert = new X509Certificate(res.body.certificateChain[0]);
      expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      await verifyEnvelope(res.body.envelope, [{ publicKey: cert.publicKey }]);
    } finally {
      await h.close();
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { connect, headers, type NatsConnection } from 'nats';
import { Client } from 'pg';
import request from 'supertest';
import { signSubject } from '../src/nats/sign-responder';
import { startSigner, type SignerHarness } from './signer-harness';
import { FulcioStandIn, RekorStandIn, TestOidcIssuer, testTrustedRoot } from './sigstore-standins';

const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [] }));
const body = (extra: Record<string, unknown> = {}) => ({
  payloadType: 'application/vnd.in-toto+json',
  payload: payload.toString('base64'),
  purpose: 'keyless-test',
  keyless: true,
  ...extra,
});

describe('signer: Sigstore keyless signing (Fulcio + Rekor stand-ins)', () => {
  const oidc = new TestOidcIssuer();
  let fulcio: FulcioStandIn;
  let rekor: RekorStandIn;
  let h: SignerHarness;
  let dir: string;
  let tokenFile: string;
  let nc: NatsConnection;
  let pg: Client;

  beforeAll(async () => {
    fulcio = await new FulcioStandIn(oidc).start();
    rekor = await new RekorStandIn().start();
    dir = mkdtempSync(join(tmpdir(), 'stella-sigstore-'));
    tokenFile = join(dir, 'oidc-token');
    writeFileSync(tokenFile, `${await oidc.token({ email: 'ci@example.test' })}\n`);
    h = await startSigner({
      signerSigstoreEnabled: true,
      signerSigstoreFulcioUrl: fulcio.url,
      signerSigstoreRekorUrl: rekor.url,
      signerSigstoreOidcTokenFile: tokenFile,
      signerSigstoreTimeoutMs: 5000,
    });
    nc = await connect({ servers: h.nats.servers });
    pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await nc?.close();
    await h?.close();
    await fulcio?.close();
    await rekor?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const verifier = () =>
    new Verifier(toTrustMaterial(TrustedRoot.fromJSON(testTrustedRoot(fulcio, rekor))), {
      ctlogThreshold: 0,
      tlogThreshold: 1,
      timestampThreshold: 1,
    });

  test('REST keyless: a v0.3 bundle with the Fulcio certificate and the Rekor entry, verified by @sigstore/verify', async () => {
    const token = await h.tokens.mint();
    const res = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    expect(res.body).toMatchObject({
      keyless: true,
      algorithm: 'ecdsa-p256-sha256',
      identity: 'ci@example.test',
      rekorLogIndex: '5',
    });
    expect(res.body.keyId).toMatch(/^sigstore:[0-9a-f]{32}$/);
    expect(res.body.bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(res.body.bundle.verificationMaterial.certificate.rawBytes).toBeDefined();
    expect(res.body.bundle.verificationMaterial.tlogEntries).toHaveLength(1);
    expect(res.body.bundle.dsseEnvelope.signatures[0].sig).toBe(res.body.signature);

    const signer = verifier().verify(toSignedEntity(bundleFromJSON(res.body.bundle)), {
      subjectAlternativeName: 'ci@example.test',
      extensions: { issuer: oidc.issuer },
    });
    expect(signer.identity?.subjectAlternativeName).toBe('ci@example.test');
    // The payload in the verified envelope is ours.
    expect(Buffer.from(res.body.bundle.dsseEnvelope.payload, 'base64').equals(payload)).toBe(true);

    const audit = await pg.query(
      `SELECT * FROM "${h.schema.schema}".signer_keyless_audit WHERE audit_id = $1`,
      [res.body.auditId],
    );
    expect(audit.rows[0]).toMatchObject({
      client_id: 'ci-pipeline',
      purpose: 'keyless-test',
      certificate_identity: 'ci@example.test',
      fulcio_url: fulcio.url,
      rekor_url: rekor.url,
      rekor_log_index: '5',
      transport: 'http',
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
        keyId: res.body.keyId,
        algorithm: 'ecdsa-p256-sha256',
        purpose: 'keyless-test',
        clientId: 'ci-pipeline',
      }),
    );
  });

  test('a tampered bundle fails verification (the trust root really checks)', async () => {
    const token = await h.tokens.mint();
    const res = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(200);
    const bundle = structuredClone(res.body.bundle);
    bundle.dsseEnvelope.payload = Buffer.from('{"forged":true}').toString('base64');
    expect(() => verifier().verify(toSignedEntity(bundleFromJSON(bundle)))).toThrow();
  });

  test('NATS keyless, and the Stella-key path of the same signer is unaffected', async () => {
    const token = await h.tokens.mint();
    const hdrs = headers();
    hdrs.set('Authorization', `Bearer ${token}`);
    const reply = await nc.request(signSubject(h.nats.prefix), Buffer.from(JSON.stringify(body())), {
      timeout: 15_000,
      headers: hdrs,
    });
    const parsed = JSON.parse(Buffer.from(reply.data).toString('utf8'));
    expect(parsed.ok).toBe(true);
    verifier().verify(toSignedEntity(bundleFromJSON(parsed.result.bundle)));

    const plain = await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body({ keyless: undefined }))
      .expect(200);
    expect(plain.body.keyless).toBeUndefined();
    expect(plain.body.certificateChain).toHaveLength(2);
  });

  test('keyless is refused in a batch and with a keyId', async () => {
    const token = await h.tokens.mint();
    await request(h.url)
      .post('/api/v1/sign/batch')
      .set('Authorization', `Bearer ${token}`)
      .send({ requests: [body()] })
      .expect(400);
    await request(h.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body({ keyId: 'k1' }))
      .expect(400);
  });

  test('disabled (the default): 400 sigstore-disabled, never a silent Stella-key signature', async () => {
    const app = await h.boot({ signerSigstoreEnabled: false });
    const token = await h.tokens.mint();
    const res = await request(app.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toMatch(/sigstore-disabled$/);
  });

  test('Fulcio unreachable: 503 sigstore-unavailable', async () => {
    const dead = await new FulcioStandIn(oidc).start();
    const deadUrl = dead.url;
    await dead.close();
    const app = await h.boot({ signerSigstoreFulcioUrl: deadUrl });
    const token = await h.tokens.mint();
    const res = await request(app.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'SIGSTORE_UNAVAILABLE', service: 'fulcio' });
    expect(res.body.type).toMatch(/sigstore-unavailable$/);
  });

  test('Rekor refusing the entry: 503 sigstore-unavailable naming rekor', async () => {
    const app = await h.boot({ signerSigstoreRekorUrl: `${fulcio.url}/not-rekor` });
    const token = await h.tokens.mint();
    const res = await request(app.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(503);
    expect(res.body).toMatchObject({ code: 'SIGSTORE_UNAVAILABLE', service: 'rekor', upstreamStatus: 404 });
  });

  test('token file missing: 503 sigstore-identity-unavailable, before any call to Fulcio', async () => {
    const before = fulcio.requests.length;
    const app = await h.boot({ signerSigstoreOidcTokenFile: join(dir, 'absent') });
    const token = await h.tokens.mint();
    const res = await request(app.url)
      .post('/api/v1/sign')
      .set('Authorization', `Bearer ${token}`)
      .send(body())
      .expect(503);
    expect(res.body).toMatchObject({ code: 'SIGSTORE_IDENTITY_UNAVAILABLE' });
    expect(res.body.title).toMatch(/ENOENT/);
    expect(fulcio.requests.length).toBe(before);
  });
});

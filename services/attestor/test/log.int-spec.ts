import { leafHash, openCheckpoint, verifyConsistency, verifyInclusion } from '@stella/tlog';
import { Client } from 'pg';
import request from 'supertest';
import { startAttestor, type AttestorHarness } from './attestor-harness';

const fromB64 = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'base64'));

describe('attestor transparency log', () => {
  let h: AttestorHarness;
  let vkey: string;
  let writer: string;

  beforeAll(async () => {
    h = await startAttestor({ attestorDecisionConsumer: false });
    vkey = (await request(h.url).get('/api/v1/log/key').expect(200)).body.vkey;
    writer = await h.tokens.mint({ scope: 'attest:write' });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('starts with a signed checkpoint of the empty tree that verifies with the published key only', async () => {
    const key = await request(h.url).get('/api/v1/log/key').expect(200);
    expect(key.body.origin).toBe('attestor.test/log');
    expect(key.body.vkey).toMatch(/^attestor\.test\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const res = await request(h.url).get('/api/v1/log/checkpoint').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const checkpoint = openCheckpoint(res.text, [vkey], { origin: 'attestor.test/log' });
    expect(checkpoint.size).toBeGreaterThanOrEqual(0);
  });

  test('concurrent appends get distinct indices and inclusion proofs that verify against signed checkpoints', async () => {
    const entries = Array.from({ length: 40 }, (_, i) => Buffer.from(`entry number ${i}`));
    const results = await Promise.all(
      entries.map((data) =>
        request(h.url)
          .post('/api/v1/log/entries')
          .set('Authorization', `Bearer ${writer}`)
          .send({ data: data.toString('base64') })
          .expect(201),
      ),
    );
    const indices = results.map((r) => r.body.index as number);
    expect(new Set(indices).size).toBe(entries.length);
    results.forEach((res, i) => {
      const checkpoint = openCheckpoint(res.body.checkpoint, [vkey]);
      expect(res.body.leafHash).toBe(leafHash(entries[i]!).toString('hex'));
      expect(res.body.inclusionProof.treeSize).toBe(checkpoint.size);
      verifyInclusion(
        leafHash(entries[i]!),
        res.body.index,
        checkpoint.size,
        fromB64(res.body.inclusionProof.hashes),
        checkpoint.rootHash,
      );
    });
    // Batching: checkpoints are per batch, so there are never more of them than appends.
    const pg = new Client({ connectionString: h.schema.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(`SELECT count(*)::int AS n FROM "${h.schema.schema}".tlog_checkpoints`);
      expect(rows[0].n).toBeLessThanOrEqual(entries.length + 1);
    } finally {
      await pg.end();
    }
  });

  test('entries, inclusion and consistency proofs can be fetched and verified by anyone', async () => {
    const latest = openCheckpoint((await request(h.url).get('/api/v1/log/checkpoint').expect(200)).text, [
      vkey,
    ]);
    const entry = await request(h.url).get('/api/v1/log/entries/3').expect(200);
    const data = Buffer.from(entry.body.data, 'base64');
    expect(entry.body.leafHash).toBe(leafHash(data).toString('hex'));
    const proof = await request(h.url)
      .get(`/api/v1/log/proofs/inclusion?index=3&size=${latest.size}`)
      .expect(200);
    verifyInclusion(leafHash(data), 3, latest.size, fromB64(proof.body.hashes), latest.rootHash);

    const extra = await request(h.url)
      .post('/api/v1/log/entries')
      .set('Authorization', `Bearer ${writer}`)
      .send({ data: 'ZXh0cmE=' })
      .expect(201);
    const newer = openCheckpoint(extra.body.checkpoint, [vkey]);
    const consistency = await request(h.url)
      .get(`/api/v1/log/proofs/consistency?from=${latest.size}&to=${newer.size}`)
      .expect(200);
    verifyConsistency(
      latest.size,
      newer.size,
      fromB64(consistency.body.hashes),
      latest.rootHash,
      newer.rootHash,
    );
  });

  test('refuses out-of-range proofs, unknown entries, bad input and writes without scope', async () => {
    const latest = openCheckpoint((await request(h.url).get('/api/v1/log/checkpoint').expect(200)).text, [
      vkey,
    ]);
    const beyond = await request(h.url)
      .get(`/api/v1/log/proofs/inclusion?index=${latest.size}&size=${latest.size}`)
      .expect(400);
    expect(beyond.body.code).toBe('OUT_OF_RANGE');
    const tooBig = await request(h.url)
      .get(`/api/v1/log/proofs/inclusion?index=0&size=${latest.size + 10}`)
      .expect(400);
    expect(tooBig.body.code).toBe('OUT_OF_RANGE');
    expect(
      (await request(h.url).get('/api/v1/log/proofs/consistency?from=5&to=2').expect(400)).body.code,
    ).toBe('OUT_OF_RANGE');
    expect((await request(h.url).get('/api/v1/log/entries/999999').expect(404)).body.code).toBe(
      'ENTRY_NOT_FOUND',
    );
    await request(h.url).get('/api/v1/log/entries/-1').expect(400);
    await request(h.url).get('/api/v1/log/proofs/inclusion?index=abc').expect(400);
    await request(h.url)
      .post('/api/v1/log/entries')
      .set('Authorization', `Bearer ${writer}`)
      .send({ data: 'not base64!' })
      .expect(400);
    const reader = await h.tokens.mint({ scope: 'attest:read' });
    const refused = await request(h.url)
      .post('/api/v1/log/entries')
      .set('Authorization', `Bearer ${reader}`)
      .send({ data: 'eA==' })
      .expect(403);
    expect(refused.body.code).toBe('INSUFFICIENT_SCOPE');
    await request(h.url).post('/api/v1/log/entries').send({ data: 'eA==' }).expect(401);
  });
});

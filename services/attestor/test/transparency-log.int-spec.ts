import { generateKeyPairSync } from 'node:crypto';
import { createDataSource, runMigrations, withTransaction } from '@stella/db';
import { createTestSchema, type TestSchema } from '@stella/testing';
import { createNoteSigner, leafHash, merkleRoot, openCheckpoint, verifyInclusion } from '@stella/tlog';
import type { DataSource } from 'typeorm';
import { attestorMigrations } from '../src/migrations';
import { TransparencyLog } from '../src/log/transparency-log';

describe('TransparencyLog on Postgres (two replicas, rollbacks)', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  const signer = createNoteSigner('replicas.test/log', generateKeyPairSync('ed25519').privateKey);
  const clock = { now: () => new Date() };

  beforeAll(async () => {
    schema = await createTestSchema('tlog');
    dataSource = createDataSource({
      url: schema.url,
      schema: schema.schema,
      migrations: attestorMigrations,
      applicationName: 'tlog-test',
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  test('replicas appending in turn, and an append that rolled back, keep one consistent tree', async () => {
    const a = new TransparencyLog(dataSource, schema.schema, 'replicas.test/log', signer, clock);
    const b = new TransparencyLog(dataSource, schema.schema, 'replicas.test/log', signer, clock);
    await a.bootstrap();
    await b.bootstrap();
    const data: Buffer[] = [];
    const entries = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const d = Buffer.from(`entry ${from + i}`);
        data.push(d);
        return { data: d, contentType: 'text/plain' };
      });
    await a.append(entries(0, 5));
    await b.append(entries(5, 3)); // b's cached frontier is stale: it must reload
    await a.append(entries(8, 4)); // so is a's
    // An append whose transaction rolls back leaves a cached state ahead of the database.
    await expect(
      withTransaction(dataSource, async (manager) => {
        await a.appendInTransaction(manager, [
          { data: Buffer.from('rolled back'), contentType: 'text/plain' },
        ]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const last = await a.append(entries(12, 2));
    expect(last.map((e) => e.index)).toEqual([12, 13]);

    const checkpoint = openCheckpoint((await b.latestCheckpoint()).note, [signer.verifier.vkey]);
    expect(checkpoint.size).toBe(14);
    expect(checkpoint.rootHash.equals(merkleRoot(data.map((d) => leafHash(d))))).toBe(true);
    for (let index = 0; index < data.length; index += 1) {
      const proof = await b.inclusionProof(index);
      verifyInclusion(leafHash(data[index]!), index, 14, proof.hashes, checkpoint.rootHash);
    }
    for (const entry of last)
      verifyInclusion(
        entry.leafHash,
        entry.index,
        entry.checkpoint.size,
        entry.inclusionProof,
        entry.checkpoint.rootHash,
      );
  });
});

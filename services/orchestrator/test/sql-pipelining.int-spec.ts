import { createDataSource } from '@stella/db';
import { createTestSchema, type TestSchema } from '@stella/testing';
import type { DataSource } from 'typeorm';
import { inTransaction, query, queryBatch } from '../src/persistence/sql';

// The unit of work's transactions send BEGIN with their first statement and COMMIT with their
// last write (one Sync each); these check the semantics against the real Postgres.
describe('pipelined transactions (BEGIN and COMMIT riding with statements)', () => {
  let schema: TestSchema;
  let ds: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('orchsql');
    ds = createDataSource({ url: schema.url, schema: schema.schema, applicationName: 'stella-orchestrator-test', poolSize: 2 });
    await ds.initialize();
    await ds.query('CREATE TABLE t (id int PRIMARY KEY, note text)');
  });

  afterAll(async () => {
    await ds?.destroy();
    await schema?.drop();
  });

  it('runs every statement in one transaction and commits with the last one', async () => {
    const xids = await inTransaction(ds.manager, async (m) => {
      const [a] = await query<{ x: string }>(m, 'SELECT pg_current_xact_id()::text AS x');
      const [b] = await query<{ x: string; block: boolean }>(m, "SELECT pg_current_xact_id()::text AS x, now() = statement_timestamp() AS block");
      await query(m, 'INSERT INTO t (id, note) VALUES ($1, $2)', [1, 'one'], { commit: true });
      return [a!.x, b!.x, b!.block];
    });
    // Same transaction id for both reads, and now() (transaction start) is not the second statement's start.
    expect(xids[0]).toBe(xids[1]);
    expect(xids[2]).toBe(false);
    expect(await ds.query('SELECT id, note FROM t WHERE id = 1')).toEqual([{ id: 1, note: 'one' }]);
  });

  it('commits nothing when the last write fails, and the connection stays usable', async () => {
    await expect(
      inTransaction(ds.manager, async (m) => {
        await query(m, 'INSERT INTO t (id, note) VALUES ($1, $2)', [2, 'two']);
        await query(m, 'INSERT INTO t (id, note) VALUES ($1, $2)', [1, 'duplicate'], { commit: true });
      }),
    ).rejects.toMatchObject({ code: '23505', constraint: 't_pkey' });
    expect(await ds.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }]);
    for (let i = 0; i < 4; i += 1) {
      const [row] = await inTransaction(ds.manager, (m) => query<{ n: number }>(m, 'SELECT count(*)::int AS n FROM t'));
      expect(row!.n).toBe(1);
    }
  });

  it('rolls back when the work throws after its first statement', async () => {
    await expect(
      inTransaction(ds.manager, async (m) => {
        await query(m, 'INSERT INTO t (id, note) VALUES ($1, $2)', [3, 'three']);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await ds.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }]);
  });

  it('reparses a named statement whose first parse failed in a pipelined batch', async () => {
    await expect(inTransaction(ds.manager, (m) => query(m, 'SELECT missing_column FROM t'))).rejects.toMatchObject({ code: '42703' });
    await ds.query('ALTER TABLE t ADD COLUMN missing_column int');
    for (let i = 0; i < 4; i += 1) {
      const rows = await inTransaction(ds.manager, (m) => query(m, 'SELECT missing_column FROM t'));
      expect(rows).toEqual([{ missing_column: null }]);
    }
  });

  it('sends several statements in one batch, the later ones seeing what the earlier ones did', async () => {
    const [locked, read] = await inTransaction(ds.manager, (m) =>
      queryBatch(m, [
        { sql: 'UPDATE t SET note = $2 WHERE id = $1 RETURNING id', params: [1, 'batched'] },
        { sql: 'SELECT note FROM t WHERE id = $1', params: [1] },
      ]),
    );
    expect(locked).toEqual([{ id: 1 }]);
    expect(read).toEqual([{ note: 'batched' }]);
    // No statement carried the COMMIT, so inTransaction sent it.
    expect(await ds.query('SELECT note FROM t WHERE id = 1')).toEqual([{ note: 'batched' }]);
  });

  it('re-prepares a statement whose batch failed after parsing it (the server may or may not hold it)', async () => {
    const good = 'SELECT id FROM t WHERE id = $1 -- batch-good';
    await expect(
      inTransaction(ds.manager, (m) => queryBatch(m, [{ sql: good, params: [1] }, { sql: 'SELECT no_such_column FROM t' }])),
    ).rejects.toMatchObject({ code: '42703' });
    // Both pooled connections run it again, parsed for sure or closed-and-parsed: no 42P05.
    for (let i = 0; i < 6; i += 1) {
      const [rows] = await inTransaction(ds.manager, (m) => queryBatch(m, [{ sql: good, params: [1] }]));
      expect(rows).toEqual([{ id: 1 }]);
    }
  });
});

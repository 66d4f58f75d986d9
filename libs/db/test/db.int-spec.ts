import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createTestSchema, type TestSchema } from '@stella/testing';
import {
  DbError,
  createDataSource,
  migrateCli,
  pingDatabase,
  runMigrations,
  withTransaction,
} from '@stella/db';

// jest.config.js sets testTimeout per project, which Jest ignores: set it here.
jest.setTimeout(60_000);

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    // Unqualified on purpose: proves search_path is the service schema.
    await queryRunner.query('CREATE TABLE widgets (id int PRIMARY KEY, qty int NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE widgets');
  }
}

class SeedWidgets1700000000001 implements MigrationInterface {
  name = 'SeedWidgets1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('INSERT INTO widgets (id, qty) VALUES (1, 0)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM widgets WHERE id = 1');
  }
}

class BrokenMigration1700000000002 implements MigrationInterface {
  name = 'BrokenMigration1700000000002';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE half_done (id int)');
    await queryRunner.query('SELECT * FROM no_such_table');
  }
  async down(): Promise<void> {}
}

const migrations = [CreateWidgets1700000000000, SeedWidgets1700000000001];

describe('libs/db against the real Postgres', () => {
  let testSchema: TestSchema;
  let schema: string;
  const opened: DataSource[] = [];

  function open(extra: Partial<Parameters<typeof createDataSource>[0]> = {}): DataSource {
    const ds = createDataSource({
      url: testSchema.url,
      schema,
      applicationName: 'stella-db-test',
      migrations,
      poolSize: 4,
      ...extra,
    });
    opened.push(ds);
    return ds;
  }

  beforeAll(async () => {
    testSchema = await createTestSchema('tdb');
    // The schema itself is created by runMigrations: start from one that does not exist yet.
    schema = `${testSchema.schema}_svc`;
  });

  afterAll(async () => {
    for (const ds of opened) if (ds.isInitialized) await ds.destroy();
    const cleanup = createDataSource({
      url: testSchema.url,
      schema: testSchema.schema,
      applicationName: 'cleanup',
    });
    await cleanup.initialize();
    await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await cleanup.destroy();
    await testSchema.drop();
  });

  it('creates the schema and runs pending migrations once, even when two replicas start together', async () => {
    const [first, second] = await Promise.all([runMigrations(open()), runMigrations(open({ poolSize: 1 }))]);
    expect([...first, ...second].sort()).toEqual(['CreateWidgets1700000000000', 'SeedWidgets1700000000001']);
    expect(await runMigrations(open())).toEqual([]);

    const ds = open();
    await ds.initialize();
    const tables = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(tables.map((row: { table_name: string }) => row.table_name)).toEqual([
      'stella_migrations',
      'widgets',
    ]);
  });

  it('connects with search_path set to the service schema only', async () => {
    const ds = open();
    await ds.initialize();
    await pingDatabase(ds);
    const [row] = await ds.query('SHOW search_path');
    expect(row.search_path).toBe(schema);
    const [app] = await ds.query('SELECT current_setting($1) AS name', ['application_name']);
    expect(app.name).toBe('stella-db-test');
  });

  it('rolls a failing migration back entirely and reports MIGRATION_FAILED', async () => {
    const ds = open({ migrations: [...migrations, BrokenMigration1700000000002] });
    await expect(runMigrations(ds)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    const [exists] = await ds.query(`SELECT to_regclass($1) AS t`, [`${schema}.half_done`]);
    expect(exists.t).toBeNull();
  });

  it('withTransaction commits, rolls back on error, and retries serialization failures', async () => {
    const ds = open();
    await ds.initialize();
    await withTransaction(ds, (m) => m.query('UPDATE widgets SET qty = 0 WHERE id = 1'));
    await expect(
      withTransaction(ds, async (m) => {
        await m.query('UPDATE widgets SET qty = 99 WHERE id = 1');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await ds.query('SELECT qty FROM widgets WHERE id = 1'))[0].qty).toBe(0);

    // Ten concurrent read-modify-write increments under SERIALIZABLE: some hit 40001 and are
    // re-run, and none is lost.
    const increments = Array.from({ length: 10 }, () =>
      withTransaction(
        ds,
        async (m) => {
          const [current] = await m.query('SELECT qty FROM widgets WHERE id = 1');
          await m.query('UPDATE widgets SET qty = $1 WHERE id = 1', [current.qty + 1]);
        },
        { isolation: 'SERIALIZABLE', maxAttempts: 50, baseDelayMs: 2, maxDelayMs: 20 },
      ),
    );
    await Promise.all(increments);
    expect((await ds.query('SELECT qty FROM widgets WHERE id = 1'))[0].qty).toBe(10);
  });

  it('migrateCli prints what ran and returns non-zero with the error', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const previousExitCode = process.exitCode;
    try {
      expect(
        await migrateCli({ url: testSchema.url, schema, applicationName: 'migrate', migrations }, io),
      ).toBe(0);
      expect(out).toEqual([`schema ${schema}: up to date`]);
      expect(await migrateCli({ url: testSchema.url, schema: 'Bad', applicationName: 'migrate' }, io)).toBe(
        1,
      );
      expect(err[0]).toMatch(/^migrate failed: INVALID_DATA_SOURCE_OPTIONS/);
    } finally {
      process.exitCode = previousExitCode;
    }
  });

  it('rejects invalid schema names before touching the database', () => {
    expect(() => createDataSource({ url: testSchema.url, schema: 'x; drop', applicationName: 'x' })).toThrow(
      DbError,
    );
  });
});

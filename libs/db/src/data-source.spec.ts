import { createDataSource, MIGRATIONS_TABLE, schemaOf } from './data-source';
import { DbError } from './errors';

const base = {
  url: 'postgres://postgres@127.0.0.1:5432/postgres',
  schema: 'authority',
  applicationName: 'stella-authority',
};

describe('createDataSource', () => {
  it('binds TypeORM to the schema and never lets it change the database on its own', () => {
    const ds = createDataSource({ ...base, poolSize: 4, statementTimeoutMs: 5000 });
    expect(ds.options).toMatchObject({
      type: 'postgres',
      schema: 'authority',
      synchronize: false,
      migrationsRun: false,
      dropSchema: false,
      migrationsTableName: MIGRATIONS_TABLE,
      poolSize: 4,
      applicationName: 'stella-authority',
      extra: { options: '-c search_path=authority -c statement_timeout=5000' },
    });
    expect(schemaOf(ds)).toBe('authority');
  });

  it.each([[{ schema: 'Bad-Name' }], [{ url: 'mysql://x' }], [{ poolSize: 0 }], [{ applicationName: '' }]])(
    'refuses invalid options %j',
    (patch) => {
      expect(() => createDataSource({ ...base, ...patch })).toThrow(DbError);
    },
  );
});

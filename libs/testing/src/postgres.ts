import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testDatabaseUrl } from './env';

export interface TestSchema {
  /** Database URL the schema lives in. */
  url: string;
  /** Unique schema name, e.g. `t_3f9a0c1d2e4b`. */
  schema: string;
  /** Drops the schema and everything in it. Safe to call twice. */
  drop(): Promise<void>;
}

const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,20}$/;

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'stella-tests' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named empty schema on STELLA_TEST_DATABASE_URL for one test file. */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  if (!PREFIX_PATTERN.test(prefix))
    throw new TypeError(`invalid test schema prefix ${JSON.stringify(prefix)}`);
  const url = testDatabaseUrl();
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  let dropped = false;
  return {
    url,
    schema,
    async drop() {
      if (dropped) return;
      await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      dropped = true;
    },
  };
}

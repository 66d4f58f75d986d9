// The test harness is the one place outside libs/config that reads the environment: it only
// ever points tests at servers, never configures a service.
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

/** STELLA_TEST_DATABASE_URL, default the local trust-auth Postgres. */
export function testDatabaseUrl(): string {
  return process.env.STELLA_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** STELLA_TEST_NATS_URL, default the local JetStream-enabled nats-server. */
export function testNatsUrl(): string {
  return process.env.STELLA_TEST_NATS_URL || DEFAULT_TEST_NATS_URL;
}

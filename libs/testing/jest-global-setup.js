// Integration tests run against the real local PostgreSQL and NATS JetStream.
// Fail once, early, with the fix, instead of every test timing out.
const { Client } = require('pg');
const { connect } = require('nats');

const databaseUrl = process.env.STELLA_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env.STELLA_TEST_NATS_URL || 'nats://127.0.0.1:4222';

async function checkPostgres() {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (
      `PostgreSQL at ${databaseUrl} is not answering (${error.message}).\n` +
      '    start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
      '    or point STELLA_TEST_DATABASE_URL at a server where the user may CREATE SCHEMA'
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkNats() {
  let nc;
  try {
    nc = await connect({ servers: natsUrl, timeout: 3000, reconnect: false });
    const jsm = await nc.jetstreamManager({ timeout: 3000 });
    await jsm.getAccountInfo();
    return undefined;
  } catch (error) {
    return (
      `NATS JetStream at ${natsUrl} is not answering (${error.message}).\n` +
      '    start it: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- ' +
      '-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log\n' +
      '    (JetStream must be enabled: -js), or point STELLA_TEST_NATS_URL at one'
    );
  } finally {
    if (nc) await nc.close().catch(() => undefined);
  }
}

module.exports = async function globalSetup() {
  const problems = (await Promise.all([checkPostgres(), checkNats()])).filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`Integration tests need real local servers:\n  - ${problems.join('\n  - ')}`);
  }
};

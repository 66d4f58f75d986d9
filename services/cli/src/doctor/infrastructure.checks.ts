import { Client } from 'pg';
import { connect } from 'nats';
import { DoctorCheckResult, errorMessage, fail, MAX_CLOCK_SKEW_MS, pass } from './check';

export async function checkPostgres(
  databaseUrl: string,
  now: () => number = Date.now,
): Promise<DoctorCheckResult[]> {
  const where = safeUrl(databaseUrl);
  const client = new Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 3000,
    query_timeout: 3000,
  });
  try {
    await client.connect();
    const before = now();
    const { rows } = await client.query<{ version: string; now: Date }>(
      "SELECT current_setting('server_version') AS version, clock_timestamp() AS now",
    );
    const after = now();
    const row = rows[0];
    if (!row) return [fail('postgres', `no answer from ${where}`, 'check the server log')];
    const skew = row.now.getTime() - (before + after) / 2;
    return [
      pass('postgres', `PostgreSQL ${row.version} at ${where}`),
      Math.abs(skew) <= MAX_CLOCK_SKEW_MS
        ? pass('clock-skew', `local clock within ${Math.round(Math.abs(skew))} ms of the database`)
        : fail(
            'clock-skew',
            `local clock is ${Math.round(skew)} ms off the database clock`,
            'synchronise clocks with NTP (chrony/systemd-timesyncd) on every host',
          ),
    ];
  } catch (error) {
    return [
      fail(
        'postgres',
        `cannot connect to ${where}: ${errorMessage(error)}`,
        'start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set STELLA_DATABASE_URL; `npm run quickstart` starts an embedded one',
      ),
    ];
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkNats(natsUrl: string, expectedStreams: string[]): Promise<DoctorCheckResult[]> {
  let nc;
  try {
    nc = await connect({ servers: natsUrl, timeout: 3000, name: 'stella-doctor', maxReconnectAttempts: 0 });
  } catch (error) {
    return [
      fail(
        'nats',
        `cannot connect to ${natsUrl}: ${errorMessage(error)}`,
        'apt-get install nats-server, then: nats-server -a 127.0.0.1 -p 4222 -js (or set STELLA_NATS_URL)',
      ),
    ];
  }
  try {
    const jsm = await nc.jetstreamManager({ timeout: 3000 }).catch((error: unknown) => {
      throw new Error(`JetStream is not enabled: ${errorMessage(error)}`);
    });
    const results = [pass('nats', `NATS ${nc.info?.version ?? '?'} with JetStream at ${natsUrl}`)];
    const present = new Set<string>();
    for await (const info of jsm.streams.list()) present.add(info.config.name);
    const missing = expectedStreams.filter((s) => !present.has(s));
    results.push(
      missing.length === 0
        ? pass(
            'jetstream-streams',
            `${expectedStreams.length} streams present (${expectedStreams.join(', ')})`,
          )
        : fail(
            'jetstream-streams',
            `missing streams: ${missing.join(', ')}`,
            'start the services once (they provision their streams), e.g. npm run quickstart',
          ),
    );
    return results;
  } catch (error) {
    return [fail('nats', errorMessage(error), 'run nats-server with -js (JetStream)')];
  } finally {
    await nc.close();
  }
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

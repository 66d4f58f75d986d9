import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { Client } from 'pg';
import {
  createTestNatsPrefix,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
} from '@stella/testing';

/**
 * The foundation's promise, against the real authority process: SIGKILL it while it is
 * writing events and relaying its outbox, restart it, and every committed change has exactly
 * one event in JetStream: none lost, none duplicated. Runs the built service (`npm run build`).
 */
const serviceDir = join(__dirname, '..');
const mainJs = join(serviceDir, 'dist', 'main.js');
const migrateJs = join(serviceDir, 'dist', 'migrate.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the process has exited, including when it already has. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`authority exited (${child.exitCode}):\n${log()}`);
    const ok = await fetch(`${url}/health/readiness`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`authority not ready:\n${log()}`);
}

describe('authority killed mid-way through its outbox relay', () => {
  let db: TestSchema;
  let nats: TestNatsPrefix;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first`);
    db = await createTestSchema('crash');
    nats = createTestNatsPrefix();
    dataDir = mkdtempSync(join(tmpdir(), 'stella-authority-crash-'));
    const port = await freePort();
    env = {
      PATH: process.env.PATH,
      STELLA_HTTP_PORT: String(port),
      STELLA_DATABASE_URL: db.url,
      STELLA_DATABASE_SCHEMA: db.schema,
      STELLA_NATS_URL: nats.servers,
      STELLA_NATS_PREFIX: nats.prefix,
      STELLA_AUTHORITY_DATA_DIR: dataDir,
      STELLA_AUTHORITY_BOOTSTRAP_FILE: join(dataDir, 'bootstrap.json'),
      STELLA_LOG_LEVEL: 'warn',
    };
    const migrated = spawnSync(process.execPath, [migrateJs], { env, encoding: 'utf8' });
    expect(migrated.status).toBe(0);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await nats.cleanup();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function start(): { child: ChildProcess; url: string; log: () => string } {
    let output = '';
    const proc = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child = proc;
    return { child: proc, url: `http://127.0.0.1:${env.STELLA_HTTP_PORT}`, log: () => output };
  }

  it('loses and duplicates nothing', async () => {
    const first = start();
    await waitReady(first.url, first.child, first.log);
    const creds = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as {
      adminClient: { clientId: string; clientSecret: string };
    };
    const basic = Buffer.from(`${creds.adminClient.clientId}:${creds.adminClient.clientSecret}`).toString(
      'base64',
    );
    const tokenResponse = await fetch(`${first.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };

    // Keep creating clients (each one a row + an outbox event in one transaction) from
    // several concurrent callers, and SIGKILL the process while they and the relay are busy.
    let created = 0;
    let killed = false;
    const stopBy = Date.now() + 60_000;
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        if (Date.now() > stopBy) throw new Error(`only ${created} clients created in 60 s:\n${first.log()}`);
        const res = await fetch(`${first.url}/api/v1/tenants/default/clients`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: `ci ${w}-${i}`,
            allowedScopes: ['release:read'],
            clientId: `ci-${w}-${i}`,
          }),
        }).catch(() => undefined);
        if (res?.status === 201) created++;
        else if (res && !killed)
          throw new Error(`creating a client answered ${res.status}: ${await res.text()}`);
        if (created >= 120 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(worker));
    await exited(first.child);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const q = (sql: string) => pg.query(sql.replaceAll('$schema', `"${db.schema}"`));
      const unpublishedAtKill = Number(
        (await q('SELECT count(*) AS n FROM $schema.stella_outbox WHERE published_at IS NULL')).rows[0].n,
      );

      // Restart: the new process relays whatever the dead one left in the outbox.
      const second = start();
      await waitReady(second.url, second.child, second.log);
      const deadline = Date.now() + 30_000;
      while (
        Number(
          (await q('SELECT count(*) AS n FROM $schema.stella_outbox WHERE published_at IS NULL')).rows[0].n,
        ) > 0
      ) {
        if (Date.now() > deadline) throw new Error('outbox was not drained after the restart');
        await new Promise((r) => setTimeout(r, 100));
      }
      second.child.kill('SIGTERM');
      await exited(second.child);

      const committed = (
        await q(`SELECT client_id FROM $schema.clients WHERE client_id LIKE 'ci-%'`)
      ).rows.map((r) => r.client_id as string);
      const outboxIds = (await q('SELECT event_id FROM $schema.stella_outbox')).rows.map(
        (r) => r.event_id as string,
      );

      // Everything in the stream, by event id and by the client each event announces.
      const nc = await connect({ servers: nats.servers });
      try {
        const jsm = await nc.jetstreamManager();
        const stream = `${nats.streamPrefix}_AUTHORITY`;
        const { state } = await jsm.streams.info(stream);
        const ids: string[] = [];
        const createdClients: string[] = [];
        for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
          const msg = await jsm.streams.getMessage(stream, { seq });
          const event = JSON.parse(new TextDecoder().decode(msg.data)) as {
            id: string;
            type: string;
            data: { clientId?: string };
          };
          ids.push(event.id);
          if (event.type === 'stella.authority.client.created' && event.data.clientId?.startsWith('ci-')) {
            createdClients.push(event.data.clientId);
          }
        }
        const duplicates = ids.length - new Set(ids).size;
        const lost = outboxIds.filter((id) => !ids.includes(id));
        process.stdout.write(
          `crash test: ${committed.length} clients committed, ${unpublishedAtKill} events unpublished at SIGKILL, ${ids.length} in the stream, ${duplicates} duplicated, ${lost.length} lost\n`,
        );
        expect(committed.length).toBeGreaterThanOrEqual(120);
        expect(duplicates).toBe(0);
        expect(lost).toEqual([]);
        expect(createdClients.sort()).toEqual([...committed].sort());
      } finally {
        await nc.close();
      }
    } finally {
      await pg.end();
    }
  }, 150_000);
});

'use strict';
/**
 * The Stella fleet for the golden path, two ways:
 *
 *  - `useQuickstartFleet()`: the fleet `npm run quickstart` runs on the fixed ports. When
 *    `.stella/fleet.json` names services that all answer readiness it is used as is; otherwise
 *    `scripts/quickstart.js` is spawned (it builds, migrates and starts everything) and stopped
 *    again by `stop()`.
 *  - `startIsolatedFleet()`: the same services (every `services/<name>` with a `"stella"` block,
 *    read exactly as quickstart reads them) started from their built `dist/` on free ports, each in
 *    its own fresh Postgres schema, all under one NATS prefix and one data directory: what the
 *    end-to-end test runs, side by side with anything else on the machine.
 *
 * Plain JavaScript, like quickstart.js: the demo runs with `node`, the test requires it.
 */
const { spawn, spawnSync } = require('node:child_process');
const { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const READY_TIMEOUT_MS = 120_000;
const { discoverServices, freePort, ready, tail } = require('../../lib/fleet-common');

async function waitReady(name, url, child, log) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode}; see ${log}\n${tail(log)}`);
    if (await ready(url)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${name} did not become ready within ${READY_TIMEOUT_MS / 1000} s; see ${log}\n${tail(log)}`,
  );
}

function stopChild(child, timeoutMs = 20_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** What the golden path needs to know about a running fleet. */
function describe(services, extra) {
  const urls = Object.fromEntries(services.map((s) => [s.name, s.url]));
  return { urls, ...extra };
}

/**
 * The quickstart fleet: reuses a running one, else spawns `npm run quickstart` with `env` added
 * (e.g. STELLA_EXCITITOR_ISSUERS) and waits until it says it is running.
 */
async function useQuickstartFleet({ env = {}, say = () => undefined } = {}) {
  const dataDir = join(root, '.stella');
  const fleetFile = join(dataDir, 'fleet.json');
  const expected = discoverServices();
  const running = async () => {
    if (!existsSync(fleetFile)) return undefined;
    const fleet = JSON.parse(readFileSync(fleetFile, 'utf8'));
    const names = new Set(fleet.services.map((s) => s.name));
    if (!expected.every((s) => names.has(s.name))) return undefined;
    for (const s of fleet.services) if (!(await ready(s.url))) return undefined;
    return fleet;
  };
  const existing = await running();
  if (existing) {
    return {
      ...describe(existing.services, {
        dataDir,
        natsUrl: existing.natsUrl,
        natsPrefix: existing.natsPrefix,
        databaseUrl: existing.databaseUrl,
        started: false,
      }),
      grpcPort: Number(
        expected.find((s) => s.name === 'orchestrator')?.stella.env?.STELLA_ORCHESTRATOR_GRPC_PORT ?? 7502,
      ),
      stop: async () => undefined,
    };
  }
  say(
    'no running quickstart fleet answers: starting `npm run quickstart` (build, migrate, start; log in .stella/demo/quickstart.log)',
  );
  mkdirSync(join(dataDir, 'demo'), { recursive: true });
  const log = join(dataDir, 'demo', 'quickstart.log');
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(process.execPath, [join(root, 'scripts', 'quickstart.js')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const startedAt = Date.now();
  await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`quickstart did not finish starting within 15 minutes; see ${log}`)),
      15 * 60_000,
    );
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes('Stella Ops is running.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`quickstart exited with code ${code} before the fleet was up; see ${log}\n${tail(log)}`),
      );
    });
  });
  const fleet = JSON.parse(readFileSync(fleetFile, 'utf8'));
  if (Date.parse(fleet.startedAt) < startedAt - 60_000)
    throw new Error(`${fleetFile} was not rewritten by the quickstart just started`);
  return {
    ...describe(fleet.services, {
      dataDir,
      natsUrl: fleet.natsUrl,
      natsPrefix: fleet.natsPrefix,
      databaseUrl: fleet.databaseUrl,
      started: true,
    }),
    grpcPort: Number(
      expected.find((s) => s.name === 'orchestrator')?.stella.env?.STELLA_ORCHESTRATOR_GRPC_PORT ?? 7502,
    ),
    stop: async () => {
      await stopChild(child, 120_000);
      out.end();
    },
  };
}

/** The service's OAuth client at the authority (quickstart's `"client"` contract), its secret as env. */
async function provisionClient(service, authorityUrl, bootstrapFile) {
  const client = service.stella.client;
  if (!client) return {};
  const { clientToken, ensureClient } = require('./clients');
  const boot = JSON.parse(readFileSync(bootstrapFile, 'utf8'));
  const admin = await clientToken(authorityUrl, boot.adminClient.clientId, boot.adminClient.clientSecret);
  const { clientSecret } = await ensureClient(authorityUrl, admin, boot.tenant, client.id, client.scopes);
  return { [client.secretEnv]: clientSecret };
}

/**
 * Every fleet service from its built dist/, on free ports, in fresh schemas named by
 * `schemaFor(service)`, under `natsPrefix`, with `dataDir` as the fleet's data directory, keeping
 * quickstart's contract of the `"stella"` block: `env` ({dataDir}, {root}, {s3Endpoint},
 * {s3AccessKey}, {s3SecretKey} expanded), `fetch` (files fetched from services started before),
 * `client` (an OAuth client provisioned at the authority, its secret in `secretEnv`).
 * Ports named in `env` (`*_PORT`) get free ports too, and URLs of fixed fleet ports
 * (`http://127.0.0.1:7408`) are rewritten, in `env` and `serviceEnv` alike, to where that service
 * really listens. `env` is added to every service, `serviceEnv[name]` to one.
 * The caller owns the schemas, the S3 endpoint and the data directory.
 */
async function startIsolatedFleet({
  databaseUrl,
  natsUrl,
  natsPrefix,
  schemaFor,
  dataDir,
  s3 = {},
  env = {},
  serviceEnv = {},
  only,
  logDir = dataDir,
}) {
  // A service without dist/main.js is left out (and named in `notBuilt`): the steps that need it
  // then say they are waiting for it.
  const discovered = discoverServices().filter((s) => !only || only.includes(s.name));
  const notBuilt = discovered.filter((s) => !existsSync(join(s.dir, 'dist', 'main.js'))).map((s) => s.name);
  const services = discovered.filter((s) => !notBuilt.includes(s.name));
  mkdirSync(logDir, { recursive: true });
  const portMap = new Map(); // fixed fleet port -> free port
  for (const s of services) {
    s.freePort = await freePort();
    portMap.set(s.port, s.freePort);
  }
  const url = (s) => `http://127.0.0.1:${s.freePort}`;
  const placeholders = (value) =>
    String(value)
      .replaceAll('{dataDir}', dataDir)
      .replaceAll('{root}', root)
      .replaceAll('{s3Endpoint}', s3.endpoint ?? '')
      .replaceAll('{s3AccessKey}', s3.accessKey ?? '')
      .replaceAll('{s3SecretKey}', s3.secretKey ?? '');
  const rewriteUrls = (value) =>
    value.replace(/(https?:\/\/(?:127\.0\.0\.1|localhost)):(\d+)/g, (m, host, port) =>
      portMap.has(Number(port)) ? `${host}:${portMap.get(Number(port))}` : m,
    );
  // Secondary ports first (so URLs naming them are rewritten), then every value.
  const secondary = new Map();
  for (const s of services) {
    for (const [k, v] of Object.entries(s.stella.env ?? {})) {
      if (/_PORT$/.test(k) && /^\d+$/.test(String(v))) {
        const free = await freePort();
        portMap.set(Number(v), free);
        secondary.set(`${s.name}:${k}`, String(free));
      }
    }
  }
  const resolve = (vars = {}, service) =>
    Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [
        k,
        secondary.get(`${service}:${k}`) ?? rewriteUrls(placeholders(v)),
      ]),
    );
  const authority = services.find((s) => s.name === 'authority');
  const bootstrapFile = join(dataDir, 'authority-bootstrap.json');
  const started = [];
  const stop = async () => {
    for (const { child } of [...started].reverse()) await stopChild(child);
  };
  try {
    for (const s of services) {
      const log = join(logDir, `${s.name}.log`);
      for (const [file, from] of Object.entries(s.stella.fetch ?? {})) {
        const res = await fetch(rewriteUrls(placeholders(from)), { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`${s.name} needs ${from}, which answered ${res.status}`);
        writeFileSync(placeholders(file), await res.text());
      }
      const childEnv = {
        ...process.env,
        STELLA_HTTP_HOST: '127.0.0.1',
        STELLA_HTTP_PORT: String(s.freePort),
        STELLA_DATABASE_URL: databaseUrl,
        STELLA_DATABASE_SCHEMA: schemaFor(s.name),
        STELLA_NATS_URL: natsUrl,
        STELLA_NATS_PREFIX: natsPrefix,
        STELLA_AUTHORITY_URL: authority ? url(authority) : '',
        STELLA_LOG_LEVEL: process.env.STELLA_LOG_LEVEL || 'warn',
        ...resolve(s.stella.env, s.name),
        ...(authority && s !== authority ? await provisionClient(s, url(authority), bootstrapFile) : {}),
        ...resolve(env),
        ...resolve(serviceEnv[s.name]),
      };
      if (existsSync(join(s.dir, 'dist', 'migrate.js'))) {
        const m = spawnSync(process.execPath, [join(s.dir, 'dist', 'migrate.js')], {
          cwd: root,
          env: childEnv,
          encoding: 'utf8',
        });
        if (m.status !== 0)
          throw new Error(`migrating ${s.name} failed (exit ${m.status}):\n${m.stdout}\n${m.stderr}`);
      }
      // A service that exits while starting (a NATS or Postgres timeout on an overloaded machine)
      // gets one more start; the first failure stays in its log. A second one fails the fleet.
      for (let attempt = 1; ; attempt++) {
        const out = createWriteStream(log, { flags: 'a' });
        const child = spawn(process.execPath, [join(s.dir, 'dist', 'main.js')], {
          cwd: root,
          env: childEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.pipe(out);
        child.stderr.pipe(out);
        const entry = { name: s.name, url: url(s), child, env: childEnv, log };
        started.push(entry);
        try {
          await waitReady(s.name, url(s), child, log);
          break;
        } catch (error) {
          if (attempt > 1 || child.exitCode === null) throw error;
          started.splice(started.indexOf(entry), 1);
        }
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const orchestrator = started.find((s) => s.name === 'orchestrator');
  return {
    ...describe(started, { dataDir, natsUrl, natsPrefix, databaseUrl, started: true }),
    grpcPort: orchestrator ? Number(orchestrator.env.STELLA_ORCHESTRATOR_GRPC_PORT) : undefined,
    services: started,
    notBuilt,
    stop,
  };
}

/**
 * `npm run demo -- --isolated`: the whole fleet for the demo alone, beside anything already on the
 * fixed ports (a shared machine): fresh schemas `<prefix>_<service>` in the local Postgres, NATS
 * prefix `<prefix>`, s3rver on a free port, data in `dataDir`. `stop()` stops it all and drops the
 * schemas and streams (the files stay).
 */
async function startDemoIsolatedFleet({
  dataDir,
  serviceEnv = {},
  databaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres',
  natsUrl = 'nats://127.0.0.1:4222',
}) {
  const { randomBytes } = require('node:crypto');
  const { Client } = require('pg');
  const prefix = `demo_${randomBytes(4).toString('hex')}`;
  const services = discoverServices();
  const sql = async (text) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  for (const s of services) await sql(`CREATE SCHEMA "${prefix}_${s.name.replaceAll('-', '_')}"`);
  mkdirSync(join(dataDir, 's3'), { recursive: true });
  const S3rver = require('s3rver');
  const s3server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dataDir, 's3'),
  });
  const { port } = await s3server.run();
  const cleanup = async () => {
    await s3server.close().catch(() => undefined);
    for (const s of services)
      await sql(`DROP SCHEMA IF EXISTS "${prefix}_${s.name.replaceAll('-', '_')}" CASCADE`).catch(
        () => undefined,
      );
    const { connect } = require('nats');
    const nc = await connect({ servers: natsUrl });
    try {
      const jsm = await nc.jetstreamManager();
      for await (const name of jsm.streams.names())
        if (name.startsWith(`${prefix.toUpperCase()}_`)) await jsm.streams.delete(name);
    } finally {
      await nc.close();
    }
  };
  let fleet;
  try {
    fleet = await startIsolatedFleet({
      databaseUrl,
      natsUrl,
      natsPrefix: prefix,
      schemaFor: (name) => `${prefix}_${name.replaceAll('-', '_')}`,
      dataDir,
      s3: { endpoint: `http://127.0.0.1:${port}`, accessKey: 'S3RVER', secretKey: 'S3RVER' },
      serviceEnv,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    ...fleet,
    stop: async () => {
      await fleet.stop();
      await cleanup();
    },
  };
}

module.exports = {
  discoverServices,
  useQuickstartFleet,
  startIsolatedFleet,
  startDemoIsolatedFleet,
  freePort,
  root,
};

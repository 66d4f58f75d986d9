'use strict';
/**
 * What the fleet runners share: the quickstart (scripts/quickstart.js), the demo's fleets
 * (scripts/demo/lib/fleet.js) and the benchmarks that start services (bench/orchestrator/run.js).
 * Plain CommonJS with Node built-ins only: the quickstart requires it before anything is built.
 */
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');

const repoRoot = join(__dirname, '..', '..');

/**
 * Every `services/<name>` whose package.json has a `"stella": { "port": N }` block, in start order
 * (`stella.order`, default 100, then by name): `{ name, dir, port, order, stella }`.
 */
function discoverServices(root = repoRoot) {
  const dir = join(root, 'services');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'package.json')))
    .map((name) => ({
      name,
      dir: join(dir, name),
      pkg: JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')),
    }))
    .filter((s) => s.pkg.stella && Number.isInteger(s.pkg.stella.port))
    .map((s) => ({
      name: s.name,
      dir: s.dir,
      port: s.pkg.stella.port,
      order: s.pkg.stella.order ?? 100,
      stella: s.pkg.stella,
    }))
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether `<baseUrl>/health/readiness` answers 200 within `timeoutMs`. */
async function ready(baseUrl, timeoutMs = 2000) {
  try {
    const res = await fetch(`${baseUrl}/health/readiness`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file ('' when it cannot be read). */
function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

module.exports = { repoRoot, discoverServices, freePort, ready, tail };

'use strict';
/**
 * The demo's OCI registry: Debian's docker-registry (Distribution 2.8) on a loopback port with a
 * persistent storage directory. Reused when something already answers /v2/ there.
 */
const { spawn, spawnSync } = require('node:child_process');
const { createWriteStream, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

async function answers(host) {
  try {
    const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1500) });
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

async function ensureRegistry({ host, storageDir, say = () => undefined }) {
  if (await answers(host)) return { host, started: false, stop: async () => undefined };
  if (spawnSync('sh', ['-c', 'command -v docker-registry']).status !== 0) {
    say('installing docker-registry (apt)');
    const r = spawnSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry'],
      { stdio: 'inherit' },
    );
    if (r.status !== 0)
      throw new Error(
        'docker-registry is missing and could not be installed: apt-get install -y docker-registry',
      );
  }
  mkdirSync(storageDir, { recursive: true });
  const config = join(storageDir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(storageDir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  const log = createWriteStream(join(storageDir, 'registry.log'), { flags: 'a' });
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const deadline = Date.now() + 20_000;
  while (!(await answers(host))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`docker-registry did not start on ${host}; see ${join(storageDir, 'registry.log')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    host,
    started: true,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

module.exports = { ensureRegistry };

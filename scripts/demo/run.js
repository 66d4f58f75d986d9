#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the golden path of issue 7 against the quickstart fleet, as a CI system and a
 * few people would walk it. Prints every step with ✔/✘ and one line, and ends with the paths of
 * the evidence packet and of the `stella verify` output. See docs/demo.md.
 *
 *  - starts the quickstart fleet (scripts/quickstart.js) when none is running, and stops it at the
 *    end (--keep-fleet leaves it running); a plain `npm run quickstart` fleet works as it is: the
 *    demo registers its VEX issuer through the excititor's API (the vex-issuer step);
 *  - --isolated: its own fleet instead (every built service on free ports, fresh schemas, its own
 *    NATS prefix and s3rver), for a machine whose fixed ports are taken; removed at the end;
 *  - starts a docker-registry on STELLA_DEMO_REGISTRY (default 127.0.0.1:5000) when none answers;
 *  - writes everything it produces under .stella/demo/<run>/.
 *
 * Exit code 0 only when every step passed.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { useQuickstartFleet, startDemoIsolatedFleet } = require('./lib/fleet');
const { ensureRegistry } = require('./lib/registry');
const { runGoldenPath, loadOrCreateVexIssuer } = require('./lib/golden-path');

const root = join(__dirname, '..', '..');
const demoDir = join(root, '.stella', 'demo');
const say = (line) => process.stdout.write(`${line}\n`);

function startFleet(isolated, outDir) {
  return isolated
    ? startDemoIsolatedFleet({
        dataDir: join(outDir, 'fleet'),
        ...(process.env.STELLA_DATABASE_URL ? { databaseUrl: process.env.STELLA_DATABASE_URL } : {}),
        ...(process.env.STELLA_NATS_URL ? { natsUrl: process.env.STELLA_NATS_URL } : {}),
      })
    : useQuickstartFleet({ say });
}

async function main() {
  const isolated = process.argv.includes('--isolated');
  const keepFleet = process.argv.includes('--keep-fleet') && !isolated;
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(demoDir, 'runs', runId);
  mkdirSync(outDir, { recursive: true });
  const vexIssuer = loadOrCreateVexIssuer(join(demoDir, 'vex-issuer.pem'));

  say('Stella Ops golden path\n');
  const registry = await ensureRegistry({
    host: process.env.STELLA_DEMO_REGISTRY || '127.0.0.1:5000',
    storageDir: join(demoDir, 'registry'),
    say,
  });
  say(`registry   ${registry.host}${registry.started ? ' (started by the demo)' : ''}`);
  let fleet;
  try {
    fleet = await startFleet(isolated, outDir);
  } catch (error) {
    await registry.stop();
    throw error;
  }
  if (isolated)
    say(
      `isolated   schemas and NATS prefix ${fleet.natsPrefix}, data and logs in ${relative(process.cwd(), fleet.dataDir)}`,
    );
  say(`fleet      ${Object.keys(fleet.urls).join(', ')}${fleet.started ? ' (started by the demo)' : ''}`);
  say('');

  const ctx = {
    fleet: {
      ...fleet,
      bootstrapFile: join(fleet.dataDir, 'authority-bootstrap.json'),
      importRoot: join(fleet.dataDir, 'advisories'),
    },
    registryHost: registry.host,
    outDir,
    vexIssuer,
  };
  let outcome;
  try {
    outcome = await runGoldenPath(ctx, { say });
  } finally {
    if (!keepFleet) await fleet.stop();
    if (!keepFleet) await registry.stop();
  }
  writeFileSync(
    join(outDir, 'results.json'),
    JSON.stringify(
      outcome.results.map(({ error: _e, ...r }) => r),
      null,
      2,
    ) + '\n',
  );
  say('');
  if (ctx.evidencePacket) say(`evidence packet: ${relative(process.cwd(), ctx.evidencePacket)}`);
  if (ctx.verifyOutput) say(`verify output:   ${relative(process.cwd(), ctx.verifyOutput)}`);
  const counts = outcome.results.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});
  say(
    `${outcome.ok ? 'golden path complete' : 'golden path NOT complete'}: ${Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')} (results: ${relative(process.cwd(), join(outDir, 'results.json'))})`,
  );
  process.exitCode = outcome.ok ? 0 : 1;
}

main()
  .catch((error) => {
    process.stderr.write(`demo: ${error.stack || error.message}\n`);
    process.exitCode = 1;
  })
  // Everything the demo started is stopped by now; an open handle must not keep it waiting.
  .finally(() => process.exit());

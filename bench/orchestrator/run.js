#!/usr/bin/env node
// Orchestrator benchmarks, on the built packages (`npm run build` first; `npm run bench:orchestrator`
// does both). The orchestrator runs as its own process (dist/main.js, as in production) against
// the local Postgres (fresh schema), NATS (fresh prefix), a real registry (Debian docker-registry),
// and a JWKS served by this script, which signs the access tokens.
//   1. release creation with 3 components resolved by tag against the registry: p50 / p99;
//   2. promotion round trip (request -> gates -> approval -> decided) by N clients for D seconds,
//      on releases created beforehand (untimed): open loop at an offered arrival rate (default) or
//      closed loop (--closed-loop, maximum throughput): decided/s, p50 / p99 of the round trip
//      (open loop: from the scheduled start), errors, and lost or duplicated state transitions
//      counted in Postgres and in the JetStream stream; CPU per decided promotion.
// Flags: --duration <s> (60), --clients <n> (50), --rate <promotions/s> (200, open loop, shared by
// the clients), --closed-loop, --pool <n> (releases to create for the timed phase; default
// rate x duration x 1.1, closed loop 300 x duration), --warmup <per client> (4),
// --releases <n> (200 creations for figure 1).
// Target (issue 3): 50 clients offering 200 promotions/s for 60 s: >= 200 decided/s, p99 < 100 ms,
// zero errors, zero lost/duplicated.
// Exit code 1 on errors or lost/duplicated transitions (not on a missed throughput target).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { generateKeyPairSync, randomUUID } = require('node:crypto');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { SignJWT } = require('jose');
const { connect } = require('nats');
const { Client } = require('pg');
const { startTestRegistry, pushTestImage, createTestSchema, createTestNatsPrefix } = require('@stella/testing');
const { freePort } = require('../../scripts/lib/fleet-common');

const root = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const DURATION_S = flag('duration', 60);
const CLIENTS = flag('clients', 50);
const RELEASES = flag('releases', 200);
const RATE = flag('rate', 200);
const CLOSED_LOOP = args.includes('--closed-loop');
const POOL = args.includes('--pool') ? flag('pool', undefined) : undefined;
const WARMUP_PER_CLIENT = flag('warmup', 4);
const sflag = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
// --pg-socket <dir>: the orchestrator reaches Postgres over its Unix socket (e.g.
// /var/run/postgresql) instead of TCP loopback, as a co-located deployment would.
const PG_SOCKET = sflag('pg-socket');
// --node-flags "<flags>": V8/Node flags of the orchestrator process; default the ones its package's
// start script and the quickstart use (a 32 MiB young generation: fewer scavenges per request).
const NODE_FLAGS = (sflag('node-flags') ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const registry = await startTestRegistry();
  const schema = await createTestSchema('bench');
  const nats = createTestNatsPrefix();
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = `bench-${randomUUID()}`;
  const jwks = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }] }));
  });
  await new Promise((done) => jwks.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${jwks.address().port}`;
  const httpPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;
  const env = {
    ...process.env,
    STELLA_HTTP_PORT: String(httpPort),
    STELLA_DATABASE_URL: PG_SOCKET ? `${schema.url}${schema.url.includes('?') ? '&' : '?'}host=${PG_SOCKET}` : schema.url,
    STELLA_DATABASE_SCHEMA: schema.schema,
    STELLA_DATABASE_POOL_SIZE: '16',
    STELLA_NATS_URL: nats.servers,
    STELLA_NATS_PREFIX: nats.prefix,
    STELLA_AUTHORITY_URL: issuer,
    STELLA_ORCHESTRATOR_GRPC_PORT: '0',
    STELLA_LOG_LEVEL: 'warn',
  };
  let child;
  const cleanup = async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
    jwks.close();
    await nats.cleanup().catch(() => undefined);
    await schema.drop().catch(() => undefined);
    await registry.stop().catch(() => undefined);
  };
  try {
    await new Promise((resolve, reject) => {
      const migrate = spawn(process.execPath, [join(root, 'services/orchestrator/dist/migrate.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      migrate.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate exited ${code}`))));
    });
    // STELLA_BENCH_CPU_PROFILE=<dir>: the orchestrator writes a V8 CPU profile there when it stops.
    const profile = process.env.STELLA_BENCH_CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.STELLA_BENCH_CPU_PROFILE] : [];
    child = spawn(process.execPath, [...NODE_FLAGS, ...profile, join(root, 'services/orchestrator/dist/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; ; i += 1) {
      const ready = await fetch(`${base}/health/readiness`).then((r) => r.ok).catch(() => false);
      if (ready) break;
      if (i > 300 || child.exitCode !== null) throw new Error('orchestrator did not become ready');
      await sleep(100);
    }

    const now = Math.floor(Date.now() / 1000);
    const tokens = new Map();
    const token = async (sub, scope = 'release:read release:write release:promote release:approve release:admin deploy:write audit:read') => {
      const key = `${sub} ${scope}`;
      if (!tokens.has(key)) {
        tokens.set(
          key,
          await new SignJWT({ tenant: 'bench', scope, client_id: 'bench-console', jti: randomUUID() })
            .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
            .setIssuer(issuer)
            .setAudience('stella')
            .setSubject(sub)
            .setIssuedAt(now - 5)
            .setExpirationTime(now + 3600)
            .sign(privateKey),
        );
      }
      return tokens.get(key);
    };
    const call = async (method, path, body, sub = 'bench-ci', headers = {}) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${await token(sub)}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    // Figure 1: release creation, 3 components by tag.
    const images = [];
    for (const name of ['api', 'web', 'worker']) {
      images.push(await pushTestImage(registry, { repo: `bench/${name}`, tag: '1.0.0', files: { [`${name}.txt`]: name } }));
    }
    const components = ['api', 'web', 'worker'].map((name) => ({ name, repository: `${registry.host}/bench/${name}`, tag: '1.0.0' }));
    for (let i = 0; i < 10; i += 1) await call('POST', '/api/v1/releases', { name: 'warmup', version: `0.0.${i}`, components });
    const creation = [];
    for (let i = 0; i < RELEASES; i += 1) {
      const started = performance.now();
      const res = await call('POST', '/api/v1/releases', { name: 'shop', version: `1.0.${i}`, components }, 'bench-ci', { 'idempotency-key': `rel-${i}` });
      creation.push(performance.now() - started);
      if (res.status !== 201) throw new Error(`release creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    creation.sort((a, b) => a - b);
    const fig1 = { releases: RELEASES, components: 3, p50Ms: +percentile(creation, 50).toFixed(2), p99Ms: +percentile(creation, 99).toFixed(2) };
    process.stdout.write(`release creation (3 components by tag, real registry): n=${RELEASES} p50=${fig1.p50Ms} ms p99=${fig1.p99Ms} ms\n`);

    // Figure 2 setup: the first environment of the path (dev) needs one approval. Each client is
    // a CI pipeline shipping successive versions of its own service. The figure is the promotion
    // round trip (request -> gates -> awaiting approval -> approval by another identity -> decided),
    // so the releases the run promotes are created first, untimed, as a pool (they do not compete
    // for CPU during the timed phase). Deployments are reported by deployers in real life; here
    // none runs, so allowed promotions queue for dev's slot.
    const digests = images.map((img) => img.digest);
    const pinned = ['api', 'web', 'worker'].map((name, i) => ({ name, digest: digests[i] }));
    const devSetup = await call('PATCH', '/api/v1/environments/dev', { approvals: { required: 1, approverRoles: [] } });
    if (devSetup.status !== 200) throw new Error(`dev setup failed: ${JSON.stringify(devSetup.body)}`);
    for (let c = 0; c < CLIENTS; c += 1) {
      await token(`builder-${c}`);
      await token(`requester-${c}`);
      await token(`approver-${c}`);
    }

    // The pool: per client, the releases it will promote (svc-<c>@1.0.<n>), created by a few
    // concurrent creators. Open loop needs rate x duration of them (+ warm-up, + 10 %); closed loop
    // cannot know its throughput beforehand: --pool (default 300/s x duration) bounds it, and a
    // client whose pool runs dry stops (the run then ends early and says so).
    const perClient = Math.ceil(
      (POOL ?? (CLOSED_LOOP ? 300 * DURATION_S : RATE * DURATION_S * 1.1)) / CLIENTS + WARMUP_PER_CLIENT,
    );
    const pools = Array.from({ length: CLIENTS }, () => []);
    const poolStarted = performance.now();
    {
      const jobs = [];
      for (let n = 1; n <= perClient; n += 1) for (let c = 0; c < CLIENTS; c += 1) jobs.push([c, n]);
      let next = 0;
      const creator = async () => {
        while (next < jobs.length) {
          const [c, n] = jobs[next++];
          const release = await call('POST', '/api/v1/releases', { name: `svc-${c}`, version: `1.0.${n}`, components: pinned }, `builder-${c}`, {
            'idempotency-key': `rel-${c}-${n}`,
          });
          if (release.status !== 201) throw new Error(`pool release creation failed: ${release.status} ${JSON.stringify(release.body)}`);
          pools[c][n - 1] = release.body.id;
        }
      };
      await Promise.all(Array.from({ length: 8 }, creator));
    }
    process.stdout.write(
      `release pool: ${perClient * CLIENTS} releases created in ${((performance.now() - poolStarted) / 1000).toFixed(1)} s (untimed)\n`,
    );

    // CPU seconds used by the orchestrator process and by its Postgres backends during the timed
    // phase: a figure that does not depend on what else runs on the machine.
    const cpuSeconds = (pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return 0;
      }
    };
    const backendPids = async () => {
      const admin = new Client({ connectionString: schema.url });
      await admin.connect();
      const pids = (await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'stella-orchestrator%'")).rows.map((r) => r.pid);
      await admin.end();
      return pids;
    };

    const latencies = [];
    const errors = [];
    const decided = [];
    // One promotion round trip; returns the promotion id when decided (allowed), else records the error.
    const promote = async (c, releaseId, tag) => {
      const requested = await call('POST', '/api/v1/promotions', { release: { id: releaseId }, environment: 'dev' }, `requester-${c}`, {
        'idempotency-key': `req-${tag}`,
      });
      if (requested.status !== 201 || requested.body.state !== 'awaiting_approval') {
        errors.push({ step: 'request', status: requested.status, body: requested.body });
        return undefined;
      }
      const approved = await call('POST', `/api/v1/promotions/${requested.body.id}/approvals`, {}, `approver-${c}`, {
        'idempotency-key': `app-${tag}`,
      });
      // Decided = allowed: approved (queued for the slot) or deploying (got the free slot).
      if (approved.status !== 201 || !['approved', 'deploying', 'deployed'].includes(approved.body.state)) {
        errors.push({ step: 'approve', status: approved.status, body: approved.body });
        return undefined;
      }
      return requested.body.id;
    };

    // Warm-up (untimed, not counted in the figures but checked for lost/duplicated transitions):
    // JIT, connection pool, caches.
    const warmedUp = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < WARMUP_PER_CLIENT; i += 1) {
          const id = await promote(c, pools[c][i], `${c}-${i + 1}`);
          if (id) warmedUp.push(id);
        }
      }),
    );
    if (errors.length > 0) throw new Error(`warm-up failed: ${JSON.stringify(errors[0]).slice(0, 500)}`);

    // Timed phase. Open loop (default): arrivals at RATE/s in total, spread evenly across the
    // clients (client c's k-th arrival is scheduled at t0 + (k * CLIENTS + c) / RATE); a client
    // whose previous round trip is still running starts late, and latency is measured from the
    // scheduled start, so a slow server cannot hide its queueing (no coordinated omission).
    // Closed loop (--closed-loop): each client starts its next round trip as soon as the previous
    // one ends: the maximum throughput, with latency = clients / throughput (Little's law).
    const loadBefore = os.loadavg();
    const pidsBefore = await backendPids();
    // nats-server is shared with whatever else runs on the machine: its CPU is an upper bound.
    const natsPid = Number(spawnSync('pidof', ['nats-server']).stdout.toString().trim().split(' ')[0]) || 0;
    const benchCpuBefore = process.cpuUsage();
    const cpuBefore = {
      node: cpuSeconds(child.pid),
      nats: natsPid ? cpuSeconds(natsPid) : 0,
      pg: new Map(pidsBefore.map((pid) => [pid, cpuSeconds(pid)])),
    };
    let stop = false;
    let poolExhausted = 0;
    let lateStarts = 0;
    const t0 = performance.now();
    const client = async (c) => {
      for (let k = 0; !stop; k += 1) {
        const releaseId = pools[c][WARMUP_PER_CLIENT + k];
        if (releaseId === undefined) {
          poolExhausted += 1;
          return;
        }
        let scheduled = performance.now();
        if (!CLOSED_LOOP) {
          scheduled = t0 + ((k * CLIENTS + c) / RATE) * 1000;
          const wait = scheduled - performance.now();
          if (wait > 0) await sleep(wait);
          else if (wait < -1) lateStarts += 1;
          if (stop) return;
        }
        const id = await promote(c, releaseId, `${c}-${WARMUP_PER_CLIENT + k + 1}`);
        if (id) {
          latencies.push(performance.now() - scheduled);
          decided.push(id);
        }
      }
    };
    const timer = setTimeout(() => (stop = true), DURATION_S * 1000);
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    clearTimeout(timer);
    const seconds = (performance.now() - t0) / 1000;
    const loadAfter = os.loadavg();
    latencies.sort((a, b) => a - b);
    const pgPids = await backendPids();
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const cpu = {
      node: cpuSeconds(child.pid) - cpuBefore.node,
      nats: natsPid ? cpuSeconds(natsPid) - cpuBefore.nats : 0,
      bench: (benchCpu.user + benchCpu.system) / 1e6,
      pg: pgPids.reduce((sum, pid) => sum + cpuSeconds(pid) - (cpuBefore.pg.get(pid) ?? 0), 0),
    };
    const checked = [...warmedUp, ...decided];

    // Count transitions: every decided promotion must have exactly its 6 transitions, gap-free,
    // and every outbox event must be in JetStream exactly once.
    const pg = new Client({ connectionString: schema.url });
    await pg.connect();
    await pg.query(`SET search_path TO "${schema.schema}"`);
    // approved, then deploying for the one promotion that got dev's free slot.
    const expected = ['requested', 'evaluating', 'awaiting_approval', 'approved'];
    const rows = (
      await pg.query(
        `SELECT promotion_id, array_agg(to_state ORDER BY seq) AS states, array_agg(seq ORDER BY seq) AS seqs
         FROM promotion_transitions WHERE promotion_id = ANY($1::uuid[]) GROUP BY promotion_id`,
        [checked],
      )
    ).rows;
    let lost = checked.length - rows.length;
    let duplicated = 0;
    for (const row of rows) {
      const states = row.states;
      lost += expected.filter((s) => !states.includes(s)).length;
      duplicated += states.length - new Set(states).size;
      if (row.seqs.some((seq, i) => seq !== i + 1)) lost += 1;
    }
    const outbox = Number((await pg.query('SELECT count(*) AS n FROM stella_outbox')).rows[0].n);
    await pg.end();
    const nc = await connect({ servers: nats.servers });
    const jsm = await nc.jetstreamManager();
    let inStream = 0;
    for (let i = 0; i < 600; i += 1) {
      inStream = (await jsm.streams.info(`${nats.streamPrefix}_ORCHESTRATOR`)).state.messages;
      if (inStream >= outbox) break;
      await sleep(100);
    }
    await nc.close();
    const eventsLost = Math.max(0, outbox - inStream);
    const eventsDuplicated = Math.max(0, inStream - outbox);

    const fig2 = {
      mode: CLOSED_LOOP ? 'closed-loop' : 'open-loop',
      offeredPerS: CLOSED_LOOP ? null : RATE,
      clients: CLIENTS,
      durationS: +seconds.toFixed(1),
      decided: decided.length,
      decidedPerS: +(decided.length / seconds).toFixed(1),
      p50Ms: +percentile(latencies, 50).toFixed(2),
      p99Ms: +percentile(latencies, 99).toFixed(2),
      errors: errors.length,
      transitionsLost: lost,
      transitionsDuplicated: duplicated,
      eventsInOutbox: outbox,
      eventsInStream: inStream,
      eventsLost,
      eventsDuplicated,
      lateStarts,
      poolExhausted,
      loadAverage1mBefore: +loadBefore[0].toFixed(2),
      loadAverage1mAfter: +loadAfter[0].toFixed(2),
      // Per decided promotion (request + approval, relay, chainer); releases were created before.
      orchestratorCpuMsPerPromotion: +((cpu.node * 1000) / Math.max(1, decided.length)).toFixed(2),
      postgresCpuMsPerPromotion: +((cpu.pg * 1000) / Math.max(1, decided.length)).toFixed(2),
      // The load generator (this process: HTTP client, JSON) and nats-server (an upper bound:
      // other users of the machine's server count too) share the same 2 cores.
      benchClientCpuMsPerPromotion: +((cpu.bench * 1000) / Math.max(1, decided.length)).toFixed(2),
      natsServerCpuMsPerPromotionAtMost: +((cpu.nats * 1000) / Math.max(1, decided.length)).toFixed(2),
    };
    process.stdout.write(
      `promotion round trip (request -> gates -> approval -> decided), ${fig2.mode}` +
        `${CLOSED_LOOP ? '' : ` offered ${RATE}/s`}, ${CLIENTS} clients, ${fig2.durationS} s: ` +
        `${fig2.decided} decided, ${fig2.decidedPerS}/s, p50=${fig2.p50Ms} ms p99=${fig2.p99Ms} ms, errors=${fig2.errors}, ` +
        `transitions lost=${lost} duplicated=${duplicated}, events outbox=${outbox} stream=${inStream}; ` +
        `CPU per promotion: orchestrator ${fig2.orchestratorCpuMsPerPromotion} ms, postgres ${fig2.postgresCpuMsPerPromotion} ms ` +
        `(bench client ${fig2.benchClientCpuMsPerPromotion} ms, nats-server <= ${fig2.natsServerCpuMsPerPromotionAtMost} ms); ` +
        `late starts=${lateStarts}${poolExhausted ? `, pool exhausted for ${poolExhausted} clients` : ''}; ` +
        `load average ${fig2.loadAverage1mBefore} -> ${fig2.loadAverage1mAfter}\n`,
    );
    if (errors.length > 0) process.stdout.write(`first error: ${JSON.stringify(errors[0]).slice(0, 500)}\n`);
    const result = { date: new Date().toISOString(), releaseCreation: fig1, promotionRoundTrip: fig2, target: { decidedPerS: 200, p99Ms: 100 } };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'orchestrator.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return errors.length === 0 && lost === 0 && duplicated === 0 && eventsLost === 0 && eventsDuplicated === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);

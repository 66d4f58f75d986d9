#!/usr/bin/env node
// Evidence-chain benchmarks (signer and transparency-log parts), on the built packages
// (`npm run build` first; `npm run bench:evidence` does both):
//   1. signatures/s through the signer service (in-process, real Postgres audit + outbox, NATS
//      request/reply and REST), Ed25519, against raw crypto.sign of the same DSSE PAE in the same run;
//   2. log appends/s sustained through POST /api/v1/log/entries (batched appends, real Postgres);
//   3. inclusion-proof time at 10^3, 10^5 and 10^6 leaves: the tree is built in Postgres with SQL
//      (sha256() over generate_series, level by level), proofs are served by the attestor's own
//      Postgres node store; the in-memory NodeStore is timed alongside.
// Targets: >= 2,000 signatures/s; >= 1,000 appends/s; proof time growing as log n.
// Results are printed and written to bench/results/evidence-signer-log.json. Exit code 1 on errors only.
// Knobs: STELLA_BENCH_PARTS (signer,log,proofs), STELLA_BENCH_SECONDS (8), STELLA_BENCH_CONCURRENCY (64),
// STELLA_BENCH_MAX_LEAVES (1000000), STELLA_BENCH_PROOFS (2000 per size); verify.js: `stella verify` of a
// typical packet (target < 200 ms), knobs STELLA_BENCH_VERIFY_RUNS, STELLA_BENCH_VERIFY_LEAVES.
const { generateKeyPairSync, randomBytes, sign } = require('node:crypto');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const SECONDS = Number(process.env.STELLA_BENCH_SECONDS || 8);
const CONCURRENCY = Number(process.env.STELLA_BENCH_CONCURRENCY || 64);
const MAX_LEAVES = Number(process.env.STELLA_BENCH_MAX_LEAVES || 1_000_000);
const PROOFS = Number(process.env.STELLA_BENCH_PROOFS || 2000);
const PARTS = new Set((process.env.STELLA_BENCH_PARTS || 'signer,log,proofs,verify').split(','));
/** Signer transports to load (nats, http, and nats-batch: BATCH payloads per request). */
const TRANSPORTS = new Set((process.env.STELLA_BENCH_SIGNER_TRANSPORTS || 'nats,http,nats-batch').split(','));
const BATCH = Number(process.env.STELLA_BENCH_BATCH || 32);
const ISSUER = 'http://authority.bench';
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const PAYLOAD = Buffer.from(
  JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', pad: 'x'.repeat(900) }),
);

if (!isMainThread) {
  runLoadWorker(workerData).then((result) => parentPort.postMessage(result));
  return;
}

const dist = (service, file) => require(resolve(__dirname, `../../services/${service}/dist/${file}`));

/** Load generator in a worker thread, so it does not share the server's event loop. */
async function runLoadWorker({
  kind,
  url,
  natsServers,
  subject,
  token,
  body,
  concurrency,
  seconds,
  perRequest = 1,
}) {
  let request;
  let cleanup = async () => {};
  if (kind === 'http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const target = new URL(url);
    const payload = Buffer.from(JSON.stringify(body));
    request = () =>
      new Promise((done) => {
        const req = http.request(
          target,
          {
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': payload.length,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode === 200 || res.statusCode === 201));
          },
        );
        req.on('error', () => done(false));
        req.end(payload);
      });
    cleanup = async () => agent.destroy();
  } else {
    const { connect, headers } = require('nats');
    const nc = await connect({ servers: natsServers });
    const payload = Buffer.from(JSON.stringify(body));
    request = async () => {
      const h = headers();
      h.set('Authorization', `Bearer ${token}`);
      try {
        const reply = await nc.request(subject, payload, { timeout: 30_000, headers: h });
        return JSON.parse(Buffer.from(reply.data).toString('utf8')).ok === true;
      } catch {
        return false;
      }
    };
    cleanup = () => nc.close();
  }
  const run = async (durationMs, record) => {
    const until = performance.now() + durationMs;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) record(await request());
      }),
    );
  };
  await run(1000, () => {}); // warm-up: connections, JIT, key caches
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  await run(seconds * 1000, (success) => (success ? (ok += perRequest) : (errors += 1)));
  const elapsed = (performance.now() - started) / 1000;
  await cleanup();
  return { perSec: Math.round(ok / elapsed), ok, errors, concurrency, seconds, perRequest };
}

function load(options) {
  return new Promise((done, fail) => {
    const worker = new Worker(join(__dirname, 'run.js'), { workerData: options });
    worker.once('message', done);
    worker.once('error', fail);
  });
}

function tokenKit() {
  const jose = require('jose');
  const { createLocalTokenVerifier } = require('@stella/auth');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA', use: 'sig' };
  const verifier = createLocalTokenVerifier({ issuer: ISSUER, audience: 'stella', getKeys: () => [jwk] });
  const mint = (scope) => {
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ client_id: 'bench', tenant: 'acme', scope })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'bench', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience('stella')
      .setSubject('bench')
      .setJti(randomBytes(8).toString('hex'))
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
  };
  return { verifier, mint };
}

async function withService({ service, prefix, migrations, module, config }, work) {
  const { createDataSource, runMigrations } = require('@stella/db');
  const { bootTestApp, createTestNatsPrefix, createTestSchema } = require('@stella/testing');
  const schema = await createTestSchema(prefix);
  const nats = createTestNatsPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), `stella-bench-${prefix}-`));
  try {
    const source = createDataSource({
      url: schema.url,
      schema: schema.schema,
      migrations,
      applicationName: 'stella-bench-migrate',
    });
    await runMigrations(source);
    await source.destroy();
    const svc = await bootTestApp({
      service,
      module,
      config: config({ schema, nats, dataDir }),
    });
    try {
      return await work({ svc, nats, schema });
    } finally {
      await svc.close();
    }
  } finally {
    await nats.cleanup();
    await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Raw Ed25519 signatures/s over the same PAE, one thread: the ceiling the service is compared to. */
function rawSignPerSec(seconds) {
  const { preAuthEncoding } = require('@stella/attest');
  const { privateKey } = generateKeyPairSync('ed25519');
  for (let i = 0; i < 2000; i += 1) sign(null, preAuthEncoding(PAYLOAD_TYPE, PAYLOAD), privateKey);
  let n = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 200; i += 1) sign(null, preAuthEncoding(PAYLOAD_TYPE, PAYLOAD), privateKey);
    n += 200;
  }
  return n / ((performance.now() - started) / 1000);
}

async function benchSigner() {
  const { createSignerModule, signerConfigSchema, signerMigrations, signSubject, signBatchSubject } = dist(
    'signer',
    'index.js',
  );
  const tokens = tokenKit();
  const token = await tokens.mint('signer:sign');
  const body = { payloadType: PAYLOAD_TYPE, payload: PAYLOAD.toString('base64'), purpose: 'benchmark' };
  const raw = rawSignPerSec(Number(process.env.STELLA_BENCH_RAW_SECONDS || Math.min(SECONDS, 5)));
  const result = await withService(
    {
      service: 'signer',
      prefix: 'bench_signer',
      migrations: signerMigrations,
      module: createSignerModule({ verifier: tokens.verifier }),
      config: ({ schema, nats, dataDir }) =>
        signerConfigSchema.parse({
          httpPort: 0,
          logLevel: 'error',
          databaseUrl: schema.url,
          databaseSchema: schema.schema,
          databasePoolSize: 8,
          natsUrl: nats.servers,
          natsPrefix: nats.prefix,
          signerKek: randomBytes(32).toString('base64'),
          signerDataDir: dataDir,
          signerRateLimitPerSec: 1_000_000,
          signerRateLimitBurst: 10_000_000,
        }),
    },
    async ({ svc, nats, schema }) => {
      const none = { perSec: 0, errors: 0 };
      const viaNats = TRANSPORTS.has('nats')
        ? await load({
            kind: 'nats',
            natsServers: nats.servers,
            subject: signSubject(nats.prefix),
            token,
            body,
            concurrency: CONCURRENCY * 4,
            seconds: SECONDS,
          })
        : none;
      const viaHttp = TRANSPORTS.has('http')
        ? await load({
            kind: 'http',
            url: `${svc.url}/api/v1/sign`,
            token,
            body,
            concurrency: CONCURRENCY,
            seconds: SECONDS,
          })
        : none;
      const viaBatch = TRANSPORTS.has('nats-batch')
        ? await load({
            kind: 'nats',
            natsServers: nats.servers,
            subject: signBatchSubject(nats.prefix),
            token,
            body: { requests: Array.from({ length: BATCH }, () => body) },
            perRequest: BATCH,
            concurrency: Math.max(4, Math.ceil(CONCURRENCY / 4)),
            seconds: SECONDS,
          })
        : none;
      const { Client } = require('pg');
      const pg = new Client({ connectionString: schema.url });
      await pg.connect();
      const audited = (await pg.query(`SELECT count(*)::int AS n FROM "${schema.schema}".signer_audit`))
        .rows[0].n;
      await pg.end();
      return { viaNats, viaHttp, viaBatch, audited };
    },
  );
  const best = Math.max(result.viaNats.perSec, result.viaHttp.perSec, result.viaBatch.perSec);
  return {
    rawEd25519SignPerSec: Math.round(raw),
    natsSignaturesPerSec: result.viaNats.perSec,
    httpSignaturesPerSec: result.viaHttp.perSec,
    ratioNatsToRaw: Number((result.viaNats.perSec / raw).toFixed(2)),
    ratioHttpToRaw: Number((result.viaHttp.perSec / raw).toFixed(2)),
    natsBatchSignaturesPerSec: result.viaBatch.perSec,
    batchSize: BATCH,
    ratioNatsBatchToRaw: Number((result.viaBatch.perSec / raw).toFixed(2)),
    singleRequestMet: Math.max(result.viaNats.perSec, result.viaHttp.perSec) >= 2000,
    errors: result.viaNats.errors + result.viaHttp.errors + result.viaBatch.errors,
    auditRows: result.audited,
    target: 2000,
    met: best >= 2000,
  };
}

function attestorService(tokens) {
  const { createAttestorModule, attestorConfigSchema, attestorMigrations } = dist('attestor', 'index.js');
  return {
    service: 'attestor',
    prefix: 'bench_attestor',
    migrations: attestorMigrations,
    module: createAttestorModule({
      verifier: tokens.verifier,
      signerTokens: { getToken: async () => 'unused' },
    }),
    config: ({ schema, nats, dataDir }) =>
      attestorConfigSchema.parse({
        httpPort: 0,
        logLevel: 'error',
        databaseUrl: schema.url,
        databaseSchema: schema.schema,
        databasePoolSize: 8,
        natsUrl: nats.servers,
        natsPrefix: nats.prefix,
        attestorDataDir: dataDir,
        attestorDecisionConsumer: false,
      }),
  };
}

async function benchLog() {
  const tokens = tokenKit();
  const token = await tokens.mint('attest:write');
  const data = randomBytes(256);
  const body = { data: data.toString('base64'), contentType: 'application/octet-stream' };
  const overHttp = await withService(attestorService(tokens), async ({ svc, schema }) => {
    const appends = await load({
      kind: 'http',
      url: `${svc.url}/api/v1/log/entries`,
      token,
      body,
      concurrency: CONCURRENCY * 2,
      seconds: SECONDS,
    });
    const { Client } = require('pg');
    const pg = new Client({ connectionString: schema.url });
    await pg.connect();
    const stats = (
      await pg.query(
        `SELECT (SELECT count(*)::int FROM "${schema.schema}".tlog_leaves) AS leaves, (SELECT count(*)::int FROM "${schema.schema}".tlog_checkpoints) AS checkpoints`,
      )
    ).rows[0];
    await pg.end();
    return { appends, stats };
  });
  const direct = await benchLogDirect(data);
  const { appends, stats } = overHttp;
  return {
    appendsPerSec: appends.perSec,
    errors: appends.errors,
    concurrency: appends.concurrency,
    leaves: stats.leaves,
    checkpoints: stats.checkpoints,
    meanBatch: Number((stats.leaves / Math.max(1, stats.checkpoints - 1)).toFixed(1)),
    inProcessAppendsPerSec: direct.perSec,
    inProcessMeanBatch: direct.meanBatch,
    target: 1000,
    met: Math.max(appends.perSec, direct.perSec) >= 1000,
  };
}

/** The log engine without HTTP: the attestor's append queue and Postgres log, appended to in-process. */
async function benchLogDirect(data) {
  const { createDataSource, runMigrations } = require('@stella/db');
  const { createTestSchema } = require('@stella/testing');
  const { createNoteSigner } = require('@stella/tlog');
  const { TransparencyLog } = dist('attestor', 'log/transparency-log.js');
  const { AppendQueue } = dist('attestor', 'log/append-queue.js');
  const { attestorMigrations } = dist('attestor', 'index.js');
  const schema = await createTestSchema('bench_logdirect');
  const source = createDataSource({
    url: schema.url,
    schema: schema.schema,
    migrations: attestorMigrations,
    applicationName: 'stella-bench-log',
    poolSize: 4,
  });
  try {
    await source.initialize();
    await runMigrations(source);
    const signer = createNoteSigner('bench.local/log', generateKeyPairSync('ed25519').privateKey);
    const log = new TransparencyLog(source, schema.schema, 'bench.local/log', signer, {
      now: () => new Date(),
    });
    await log.bootstrap();
    const queue = new AppendQueue(source, log, 10, 500);
    const entry = { data, contentType: 'application/octet-stream' };
    const run = async (ms, count) => {
      const until = performance.now() + ms;
      let n = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY * 4 }, async () => {
          while (performance.now() < until) {
            await queue.append(entry);
            if (count) n += 1;
          }
        }),
      );
      return n;
    };
    await run(1000, false);
    const before = (await log.latestCheckpoint()).size;
    const beforeCheckpoints = Number(
      (await source.query(`SELECT count(*) AS n FROM "${schema.schema}".tlog_checkpoints`))[0].n,
    );
    const started = performance.now();
    const n = await run(SECONDS * 1000, true);
    const elapsed = (performance.now() - started) / 1000;
    const after = (await log.latestCheckpoint()).size;
    const checkpoints =
      Number((await source.query(`SELECT count(*) AS n FROM "${schema.schema}".tlog_checkpoints`))[0].n) -
      beforeCheckpoints;
    await queue.close();
    if (after - before !== n)
      throw new Error(`log grew by ${after - before} but ${n} appends were acknowledged`);
    return { perSec: Math.round(n / elapsed), meanBatch: Number((n / Math.max(1, checkpoints)).toFixed(1)) };
  } finally {
    if (source.isInitialized) await source.destroy();
    await schema.drop();
  }
}

/** Leaf data i = 8-byte big-endian i (what int8send gives in SQL). */
const leafData = (i) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(i));
  return b;
};

async function benchProofs() {
  const { createDataSource, runMigrations } = require('@stella/db');
  const { createTestSchema } = require('@stella/testing');
  const tlog = require('@stella/tlog');
  const { PgNodeStore } = dist('attestor', 'log/pg-node-store.js');
  const { attestorMigrations } = dist('attestor', 'index.js');
  const sizes = [1_000, 100_000, 1_000_000].filter((n) => n <= MAX_LEAVES);
  const schema = await createTestSchema('bench_proofs');
  const source = createDataSource({
    url: schema.url,
    schema: schema.schema,
    migrations: attestorMigrations,
    applicationName: 'stella-bench-proofs',
  });
  try {
    await source.initialize();
    await runMigrations(source);
    const t = `"${schema.schema}".tlog_nodes`;
    const n = sizes[sizes.length - 1];
    const buildStarted = performance.now();
    await source.query(
      `INSERT INTO ${t} (level, node_index, hash) SELECT 0, i, sha256('\\x00'::bytea || int8send(i)) FROM generate_series(0, $1::bigint - 1) AS i`,
      [n],
    );
    for (let level = 1; 2 ** level <= n; level += 1) {
      await source.query(
        `INSERT INTO ${t} (level, node_index, hash)
         SELECT $1, p.i, sha256('\\x01'::bytea || l.hash || r.hash)
         FROM generate_series(0, $2::bigint - 1) AS p(i)
         JOIN ${t} l ON l.level = $1 - 1 AND l.node_index = 2 * p.i
         JOIN ${t} r ON r.level = $1 - 1 AND r.node_index = 2 * p.i + 1`,
        [level, Math.floor(n / 2 ** level)],
      );
    }
    await source.query(`ANALYZE ${t}`);
    const buildSeconds = (performance.now() - buildStarted) / 1000;

    // The same tree in memory, to check the SQL-built tree and to time the in-memory store.
    const memory = new tlog.MemoryNodeStore();
    for (let start = 0; start < n; start += 65_536) {
      const batch = [];
      for (let i = start; i < Math.min(n, start + 65_536); i += 1) batch.push(tlog.leafHash(leafData(i)));
      memory.append(batch);
    }
    const store = new PgNodeStore(source.manager, schema.schema);
    const results = [];
    for (const size of sizes) {
      const root = await tlog.treeRoot(store, size);
      if (!root.equals(await tlog.treeRoot(memory, size)))
        throw new Error(`SQL-built tree differs from the reference at size ${size}`);
      const indices = Array.from({ length: PROOFS }, () => Math.floor(Math.random() * size));
      for (const index of indices.slice(0, 100)) await tlog.inclusionProof(store, index, size); // warm-up
      let started = performance.now();
      for (const index of indices) {
        const proof = await tlog.inclusionProof(store, index, size);
        tlog.verifyInclusion(tlog.leafHash(leafData(index)), index, size, proof, root);
      }
      const pgMicros = ((performance.now() - started) * 1000) / indices.length;
      started = performance.now();
      for (const index of indices) await tlog.inclusionProof(memory, index, size);
      const memoryMicros = ((performance.now() - started) * 1000) / indices.length;
      const plan = tlog.inclusionProofPlan(indices[0], size);
      results.push({
        leaves: size,
        proofLength: plan.length,
        nodesRead: plan.flat().length,
        postgresMicrosPerProof: Math.round(pgMicros),
        memoryMicrosPerProof: Number(memoryMicros.toFixed(1)),
      });
    }
    return { buildSeconds: Number(buildSeconds.toFixed(1)), proofsPerSize: PROOFS, sizes: results };
  } finally {
    if (source.isInitialized) await source.destroy();
    await schema.drop();
  }
}

async function main() {
  const results = {
    machine: {
      cpus: require('node:os').cpus().length,
      load: require('node:os')
        .loadavg()
        .map((l) => Number(l.toFixed(2))),
    },
  };
  if (PARTS.has('signer')) {
    results.signer = await benchSigner();
    const s = results.signer;
    console.log(`signer: raw crypto.sign Ed25519 ${s.rawEd25519SignPerSec}/s (one thread)`);
    console.log(
      `signer: NATS request/reply ${s.natsSignaturesPerSec} signatures/s (ratio to raw ${s.ratioNatsToRaw})`,
    );
    console.log(
      `signer: REST POST /api/v1/sign ${s.httpSignaturesPerSec} signatures/s (ratio to raw ${s.ratioHttpToRaw})`,
    );
    console.log(
      `signer: NATS batches of ${s.batchSize}: ${s.natsBatchSignaturesPerSec} signatures/s (ratio to raw ${s.ratioNatsBatchToRaw})`,
    );
    console.log(
      `signer: ${s.auditRows} signatures audited, ${s.errors} errors; target >= ${s.target}/s: ${s.met ? 'met' : 'NOT met'}`,
    );
  }
  if (PARTS.has('log')) {
    results.log = await benchLog();
    const l = results.log;
    console.log(
      `log: HTTP POST /api/v1/log/entries ${l.appendsPerSec} appends/s sustained over ${SECONDS} s (${l.concurrency} concurrent clients, ${l.checkpoints} checkpoints, mean batch ${l.meanBatch}), ${l.errors} errors`,
    );
    console.log(
      `log: in-process append queue ${l.inProcessAppendsPerSec} appends/s (mean batch ${l.inProcessMeanBatch}); target >= ${l.target}/s: ${l.met ? 'met' : 'NOT met'}`,
    );
  }
  if (PARTS.has('proofs')) {
    results.proofs = await benchProofs();
    console.log(
      `proofs: tree of ${results.proofs.sizes.at(-1)?.leaves} leaves built in Postgres in ${results.proofs.buildSeconds} s`,
    );
    for (const r of results.proofs.sizes) {
      console.log(
        `proofs: ${r.leaves} leaves: ${r.postgresMicrosPerProof} µs/proof from Postgres (generate + verify), ${r.memoryMicrosPerProof} µs in memory; ${r.proofLength} hashes from ${r.nodesRead} stored nodes`,
      );
    }
  }
  if (PARTS.has('verify')) {
    results.verify = await require('./verify').benchVerify();
    const v = results.verify;
    console.log(
      `verify: stella verify of a ${v.packetBytes}-byte packet (${v.files} files, ${v.checks} checks, proof of ${v.proofHashes} hashes in a log of ${v.logLeaves}): median ${v.cliMedianMs} ms wall per CLI process (min ${v.cliMinMs}, max ${v.cliMaxMs} ms over ${v.cliRuns} runs, load ${v.loadAverage.join(' ')}), ${v.cliCpuMedianMs} ms CPU per process, ${v.inProcessMedianMs} ms in process; target < ${v.targetMs} ms: wall ${v.met ? 'met' : 'NOT met'}, CPU ${v.cpuMet ? 'met' : 'NOT met'}`,
    );
  }
  const out = resolve(__dirname, '../results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'evidence-signer-log.json'),
    `${JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2)}\n`,
  );
  const errors = (results.signer?.errors ?? 0) + (results.log?.errors ?? 0);
  process.exitCode = errors > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

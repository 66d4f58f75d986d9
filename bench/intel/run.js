#!/usr/bin/env node
// Security-intelligence figures (issue 6), on the built packages (`npm run build` first):
//   1. import of the whole development data set in ../shared/data: documents/s
//      a. reading + normalising every advisory file (libs/matching connectors, no database);
//      b. concelier importing ../shared/data/advisories end to end (HTTP, Postgres, snapshot, outbox);
//      c. excititor ingesting every VEX document in ../shared/data/vex (schema validation, consensus, outbox);
//   2. matching a 10,000-component SBOM against >= 100,000 advisories with a warm index (target < 500 ms);
//   3. version comparisons/s per ecosystem and the ratio to `semver` for npm (bench/versioning, rerun here).
// The advisory volume for (2) is synthesised from the real records: every real advisory with an
// affected package is copied COPIES times with its package renamed deterministically
// (`<name>` -> `<name>-syn<k>`, Maven artifacts and Go module paths likewise) and its id suffixed
// `-SYN<k>`; ranges, versions and fixes stay as published. The SBOM takes 10,000 of those
// packages round-robin, one in ten at a version inside an affected range and the rest at the
// highest version any advisory of the package names as fixed; a second run puts half of them in
// an affected range, as a stress figure.
// Needs the local Postgres and NATS JetStream (as the integration tests). Results are printed
// and written to bench/results/intel.json.
const { spawnSync } = require('node:child_process');
const { generateKeyPairSync, randomUUID } = require('node:crypto');
const { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const os = require('node:os');

const ROOT = resolve(__dirname, '..', '..');
const SHARED = resolve(ROOT, '..', 'shared', 'data');
const COPIES = Number(process.env.STELLA_BENCH_INTEL_COPIES || 5);
const COMPONENTS = 10_000;
const AFFECTED_SHARE = Number(process.env.STELLA_BENCH_INTEL_AFFECTED_SHARE || 0.1);
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadAverage: os.loadavg()[0],
};

const matching = require('@stella/matching');

function say(line) {
  process.stdout.write(`${line}\n`);
}

async function benchParse() {
  const started = performance.now();
  const loaded = await matching.loadAdvisoryPath(join(SHARED, 'advisories'));
  const seconds = (performance.now() - started) / 1000;
  const errors = loaded.issues.filter((i) => i.level === 'error').length;
  results.parse = {
    files: loaded.files.length,
    records: loaded.records.length,
    refused: errors,
    seconds: +seconds.toFixed(2),
    recordsPerSecond: Math.round(loaded.records.length / seconds),
  };
  say(
    `1a. read + normalise ../shared/data/advisories: ${loaded.records.length} records from ${loaded.files.length} files (${errors} refused) in ${seconds.toFixed(2)} s = ${results.parse.recordsPerSecond} records/s`,
  );
  return loaded.records;
}

function tokens() {
  const { SignJWT } = require('jose');
  const { createLocalTokenVerifier } = require('@stella/auth');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA', use: 'sig' };
  const issuer = 'https://authority.bench';
  return {
    verifier: createLocalTokenVerifier({ issuer, audience: 'stella', getKeys: () => [jwk] }),
    token: (scope) =>
      new SignJWT({ sub: 'bench', client_id: 'bench', tenant: 'bench', scope, jti: randomUUID() })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'bench', typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience('stella')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
  };
}

async function withService(name, distPath, rootModuleName, schemaName, migrationsName, extraConfig, work) {
  const { createDataSource, runMigrations } = require('@stella/db');
  const { bootTestApp, createTestNatsPrefix, createTestSchema } = require('@stella/testing');
  const dist = require(distPath);
  const schema = await createTestSchema('bench');
  const nats = createTestNatsPrefix();
  const auth = tokens();
  let svc;
  try {
    const ds = createDataSource({
      url: schema.url,
      schema: schema.schema,
      migrations: dist[migrationsName],
      entities: [],
      applicationName: 'stella-bench-migrate',
    });
    await runMigrations(ds);
    await ds.destroy();
    svc = await bootTestApp({
      service: name,
      module: dist[rootModuleName]({ verifier: auth.verifier }),
      config: dist[schemaName].parse({
        httpPort: 0,
        databaseUrl: schema.url,
        databaseSchema: schema.schema,
        natsUrl: nats.servers,
        natsPrefix: nats.prefix,
        logLevel: 'error',
        ...extraConfig,
      }),
    });
    return await work(svc.url, await auth.token('advisory:import advisory:read vex:write vex:read'));
  } finally {
    await svc?.close();
    await nats.cleanup();
    await schema.drop();
  }
}

async function benchConcelierImport() {
  return withService(
    'concelier',
    join(ROOT, 'services/concelier/dist/index.js'),
    'concelierRootModule',
    'concelierConfigSchema',
    'concelierMigrations',
    { concelierImportRoot: SHARED, bodyLimitBytes: 64 * 1024 * 1024 },
    async (url, token) => {
      const started = performance.now();
      const response = await fetch(`${url}/api/v1/imports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ path: 'advisories' }),
      });
      const report = await response.json();
      const seconds = (performance.now() - started) / 1000;
      if (response.status !== 201) throw new Error(`import failed: ${JSON.stringify(report).slice(0, 500)}`);
      results.concelierImport = {
        documents: report.documentsNew,
        refused: report.recordsRefused,
        seconds: +seconds.toFixed(2),
        documentsPerSecond: Math.round(report.documentsNew / seconds),
        snapshotId: report.snapshotId,
      };
      say(
        `1b. concelier import of ../shared/data/advisories (HTTP -> Postgres, snapshot, ${report.documentsNew} outbox events): ${report.documentsNew} documents in ${seconds.toFixed(2)} s = ${results.concelierImport.documentsPerSecond} documents/s`,
      );
    },
  );
}

function vexFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (
        entry.name.endsWith('.openvex.json') ||
        (entry.name === 'vex.json' && full.includes('cyclonedx')) ||
        (full.includes('csaf_2.0/examples/csaf/csaf_vex') && entry.name.endsWith('.json'))
      )
        files.push(full);
    }
  };
  walk(join(SHARED, 'vex'));
  return files;
}

async function benchExcititorIngest() {
  const files = vexFiles();
  return withService(
    'excititor',
    join(ROOT, 'services/excititor/dist/index.js'),
    'excititorRootModule',
    'excititorConfigSchema',
    'excititorMigrations',
    {
      bodyLimitBytes: 64 * 1024 * 1024,
      excititorIssuers: [{ id: 'rancher', trust: 60, authors: ['Rancher Security team'] }],
    },
    async (url, token) => {
      let stored = 0;
      let refused = 0;
      let statements = 0;
      const refusals = [];
      const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
      const started = performance.now();
      for (let i = 0; i < files.length; i += 10) {
        const documents = files
          .slice(i, i + 10)
          .map((f) => ({ name: f.slice(SHARED.length + 1), content: readFileSync(f, 'utf8') }));
        const response = await fetch(`${url}/api/v1/vex`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ documents }),
        });
        const body = await response.json();
        if (response.status !== 200) throw new Error(`ingest failed: ${JSON.stringify(body).slice(0, 500)}`);
        for (const r of body.results) {
          if (r.outcome === 'stored') {
            stored++;
            statements += r.statements;
          } else if (r.outcome === 'refused') {
            refused++;
            refusals.push(r.issues[0]?.message?.slice(0, 160));
          }
        }
      }
      const seconds = (performance.now() - started) / 1000;
      for (const reason of refusals) say(`    refused: ${reason}`);
      results.excititorIngest = {
        refusals,
        files: files.length,
        megabytes: +(bytes / 1e6).toFixed(1),
        stored,
        refused,
        statements,
        seconds: +seconds.toFixed(2),
        documentsPerSecond: +(stored / seconds).toFixed(1),
        statementsPerSecond: Math.round(statements / seconds),
      };
      say(
        `1c. excititor ingest of ${files.length} VEX documents (${(bytes / 1e6).toFixed(1)} MB; ${stored} stored, ${refused} refused, ${statements} statements): ${seconds.toFixed(2)} s = ${results.excititorIngest.documentsPerSecond} documents/s, ${results.excititorIngest.statementsPerSecond} statements/s`,
      );
    },
  );
}

const LOWEST = {
  npm: '0.0.1',
  PyPI: '0.0.1',
  Maven: '0.0.1',
  Go: 'v0.0.1',
  'crates.io': '0.0.1',
  Debian: '0.0.1-1',
  RubyGems: '0.0.1',
  NuGet: '0.0.1',
};

/** Renames an affected package deterministically (see the header). */
function renamed(ecosystem, name, k) {
  if (k === 0) return name;
  if (ecosystem.startsWith('Maven')) return `${name}-syn${k}`;
  if (ecosystem.startsWith('Go')) return `${name}/syn${k}`;
  return `${name}-syn${k}`;
}

function purlFor(ecosystem, name, version) {
  const { PackageURL } = require(require.resolve('packageurl-js', { paths: [join(ROOT, 'libs/matching')] }));
  const [base, release] = ecosystem.split(':');
  const split = (sep) => {
    const at = name.lastIndexOf(sep);
    return at > 0 ? [name.slice(0, at), name.slice(at + 1)] : [undefined, name];
  };
  switch (base) {
    case 'npm': {
      const [ns, n] = name.startsWith('@') ? split('/') : [undefined, name];
      return new PackageURL('npm', ns, n, version).toString();
    }
    case 'PyPI':
      return new PackageURL('pypi', undefined, name, version).toString();
    case 'Maven': {
      const [ns, n] = split(':');
      return new PackageURL('maven', ns, n, version).toString();
    }
    case 'Go': {
      const [ns, n] = split('/');
      return new PackageURL('golang', ns, n, version).toString();
    }
    case 'crates.io':
      return new PackageURL('cargo', undefined, name, version).toString();
    case 'Debian':
      return new PackageURL('deb', 'debian', name, version, { distro: `debian-${release}` }).toString();
    case 'RubyGems':
      return new PackageURL('gem', undefined, name, version).toString();
    case 'NuGet':
      return new PackageURL('nuget', undefined, name, version).toString();
    default:
      return null;
  }
}

function benchMatching(records) {
  // The same record can sit in two files (osv-examples and a feed): the later one counts, as in an import.
  const latest = new Map();
  for (const r of records) latest.set(`${r.source}\u0000${r.key}`, r);
  const real = [...latest.values()].filter(
    (r) =>
      r.content.kind === 'advisory' &&
      r.content.advisory.affected.length > 0 &&
      !r.content.advisory.withdrawn,
  );
  const index = new matching.AdvisoryIndex();
  const candidates = [];
  const buildStarted = performance.now();
  for (let k = 0; k < COPIES; k++) {
    for (const record of real) {
      const a = record.content.advisory;
      const affected = a.affected.map((e) => ({
        ...e,
        name: renamed(e.ecosystem, e.name, k),
        ...(e.osv
          ? { osv: { ...e.osv, package: { ...e.osv.package, name: renamed(e.ecosystem, e.name, k) } } }
          : {}),
      }));
      index.addAdvisory({ ...a, id: `${a.id}-SYN${k}`, affected });
      if (candidates.length < COMPONENTS * 20) {
        for (const e of affected) {
          const events = (e.osv?.ranges ?? []).flatMap((r) => (r.type === 'GIT' ? [] : r.events));
          // Inside the range: its first non-zero `introduced`, else a listed version, else (ranges
          // from "0") the lowest plausible version of the ecosystem.
          const inside =
            events.find((ev) => ev.introduced && ev.introduced !== '0')?.introduced ??
            e.osv?.versions?.[0] ??
            (events.some((ev) => ev.introduced === '0') ? LOWEST[e.ecosystem.split(':')[0]] : undefined);
          const fixed = e.fixedVersions[0];
          if (inside && fixed) candidates.push({ ecosystem: e.ecosystem, name: e.name, inside, fixed });
        }
      }
    }
  }
  const buildMs = performance.now() - buildStarted;
  // Unaffected components sit at the highest fixed version any advisory of their package names
  // (the first fix of one advisory is usually still affected by the package's later advisories).
  const versioning = require('@stella/versioning');
  const highestFix = new Map();
  for (const record of real)
    for (const e of record.content.advisory.affected) {
      const key = `${e.ecosystem}\u0000${e.name}`;
      for (const fix of e.fixedVersions) {
        const current = highestFix.get(key);
        try {
          if (current === undefined || versioning.compareVersions(e.ecosystem, fix, current) > 0)
            highestFix.set(key, fix);
        } catch {
          // an unparseable fix cannot be the highest
        }
      }
    }
  const highestFixOf = (c) =>
    highestFix.get(`${c.ecosystem}\u0000${c.name.replace(/(-syn\d+|\/syn\d+)$/, '')}`) ?? c.fixed;
  const sbom = (share) => {
    const components = [];
    const seen = new Set();
    // Deterministic: every 1/share-th component sits inside an affected range.
    const every = Math.max(1, Math.round(1 / share));
    for (let i = 0; components.length < COMPONENTS && i < candidates.length * 2; i++) {
      const c = candidates[(i * 7919) % candidates.length];
      const version = components.length % every === 0 ? c.inside : highestFixOf(c);
      const purl = purlFor(c.ecosystem, c.name, version);
      if (!purl || seen.has(purl)) continue;
      seen.add(purl);
      components.push({ purl, name: c.name, version });
    }
    if (components.length < COMPONENTS)
      throw new Error(`could only build ${components.length} distinct components`);
    return components;
  };
  const time = (components) => {
    const cold = performance.now();
    index.match(components);
    const coldMs = performance.now() - cold;
    const runs = [];
    let report;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      report = index.match(components);
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    return { coldMs, median: runs[2], best: runs[0], report };
  };
  const headline = time(sbom(AFFECTED_SHARE));
  const stress = time(sbom(0.5));
  const figure = (t) => ({
    findings: t.report.findings.length,
    undetermined: t.report.undetermined.length,
    firstMatchMs: Math.round(t.coldMs),
    warmMatchMsMedian: Math.round(t.median),
    warmMatchMsBest: Math.round(t.best),
    componentsPerSecond: Math.round(COMPONENTS / (t.median / 1000)),
  });
  results.matching = {
    advisories: index.size,
    realAdvisories: real.length,
    copies: COPIES,
    components: COMPONENTS,
    indexBuildMs: Math.round(buildMs),
    affectedShare: AFFECTED_SHARE,
    ...figure(headline),
    targetMs: 500,
    withinTarget: headline.median < 500,
    stressHalfAffected: figure(stress),
  };
  say(
    `2.  match ${COMPONENTS} components (${AFFECTED_SHARE * 100}% in an affected range) x ${index.size} advisories (${real.length} real x ${COPIES}, synthesised by renaming): index built in ${Math.round(buildMs)} ms; first match ${Math.round(headline.coldMs)} ms (compiles ranges); warm median ${Math.round(headline.median)} ms (best ${Math.round(headline.best)}) = ${results.matching.componentsPerSecond} components/s, ${headline.report.findings.length} findings -> ${headline.median < 500 ? 'within' : 'OVER'} the 500 ms target`,
  );
  say(
    `    stress, 50% in an affected range: warm median ${Math.round(stress.median)} ms (best ${Math.round(stress.best)}), ${stress.report.findings.length} findings`,
  );
}

function benchVersioning() {
  const run = spawnSync(process.execPath, [join(ROOT, 'bench/versioning/run.js')], {
    env: {
      ...process.env,
      STELLA_BENCH_VERSIONING_SECONDS: process.env.STELLA_BENCH_VERSIONING_SECONDS || '0.5',
    },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`bench/versioning failed: ${run.stderr}`);
  const versioning = JSON.parse(readFileSync(join(ROOT, 'bench/results/versioning.json'), 'utf8'));
  results.versioning = versioning;
  say('3.  version comparisons/s per ecosystem (bench/versioning; strings -> parse + compare):');
  for (const [ecosystem, perSecond] of Object.entries(versioning.compareVersions))
    say(`      ${ecosystem.padEnd(10)} ${Math.round(perSecond).toLocaleString('en')}/s`);
  const ratio = versioning.npmVsSemver?.ratio ?? versioning.npmRatioToSemver ?? versioning.ratioToSemver;
  if (ratio !== undefined)
    say(
      `      npm vs semver.compare: ${typeof ratio === 'number' ? ratio.toFixed(2) : JSON.stringify(ratio)}x`,
    );
}

// STELLA_BENCH_INTEL_ONLY=parse,import,vex,match,versions runs a subset (matching needs parse).
const ONLY = new Set((process.env.STELLA_BENCH_INTEL_ONLY || 'parse,import,vex,match,versions').split(','));

async function main() {
  const records = await benchParse();
  if (ONLY.has('import')) await benchConcelierImport();
  if (ONLY.has('vex')) await benchExcititorIngest();
  if (ONLY.has('match')) benchMatching(records);
  if (ONLY.has('versions')) benchVersioning();
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/intel.json'), JSON.stringify(results, null, 2) + '\n');
  say('written bench/results/intel.json');
}

main().catch((error) => {
  process.stderr.write(`bench:intel failed: ${error.stack ?? error}\n`);
  process.exit(1);
});

#!/usr/bin/env node
'use strict';
// Scanner benchmark: `stella scan` against Trivy on the same docker-archive tarballs.
// Prerequisites: `bash bench/scanner/build-images.sh` (images + Trivy) and `npm run build`.
// Usage: node bench/scanner/run.js [--images base,mixed,large] [--runs 3] [--keep] [--skip-index]
//        node bench/scanner/run.js --warm-only [--warm mixed,large] [--runs 5]
// Prints a table and writes bench/results/scanner.json (--warm-only: start-up and warm rescans only,
// no Trivy, written to bench/results/scanner-warm.json). Not part of `npm test`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const IMAGES = process.env.STELLA_BENCH_IMAGES || path.join(ROOT, 'bench/.images');
const TRIVY = path.join(ROOT, 'bench/.tools/trivy');
const STELLA = path.join(ROOT, 'services/cli/bin/stella.js');
const SCHEMAS = path.resolve(ROOT, '../shared/data/schemas');
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const warmOnly = argv.includes('--warm-only');
const imageNames = warmOnly ? [] : arg('--images', 'base,mixed,large').split(',');
const warmNames = arg('--warm', 'mixed,large').split(',');
const keep = argv.includes('--keep');
// Several runs, alternating tools, median reported: the machine is shared, single runs are noisy.
const runs = Math.max(1, Number(arg('--runs', '3')));

for (const required of [
  ...(warmOnly ? [] : [TRIVY]),
  STELLA,
  path.join(ROOT, 'libs/scan/dist/index.js'),
  '/usr/bin/time',
]) {
  if (!fs.existsSync(required)) {
    console.error(`missing ${required}: run bash bench/scanner/build-images.sh and npm run build first`);
    process.exit(2);
  }
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stella-bench-scanner-'));

/** Runs a command under GNU time: wall seconds (hrtime) and peak RSS (MB, of the process tree's largest). */
function measure(command, args) {
  const rssFile = path.join(work, 'rss');
  const start = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  const [rssKb, user, system] = fs
    .readFileSync(rssFile, 'utf8')
    .trim()
    .split('\n')
    .pop()
    .split(' ')
    .map(Number);
  // CPU seconds (user + system): on a machine shared with other work, wall time includes waiting
  // for a core; CPU time is what the process itself needed.
  return { wall, cpu: user + system, rssMb: rssKb / 1024, stdout: child.stdout, stderr: child.stderr };
}

const stella = (args) => measure(process.execPath, [STELLA, 'scan', ...args]);
const trivy = (input, output, cacheDir) =>
  measure(TRIVY, [
    'image',
    '--input',
    input,
    '--cache-dir',
    cacheDir,
    '--skip-db-update',
    '--skip-java-db-update',
    '--offline-scan',
    '-q',
    '-f',
    'cyclonedx',
    '-o',
    output,
    '--skip-files',
    '**/*.jar',
  ]);

// ---- purl comparison ------------------------------------------------------------------------
const { PackageURL } = require(require.resolve('packageurl-js', { paths: [path.join(ROOT, 'libs/scan')] }));

/** type/namespace/name@version, with Trivy's `epoch` qualifier folded into the version as Debian writes it. */
function purlKey(purl) {
  let p;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  if (p.type === 'oci') return undefined;
  let version = p.version ?? '';
  const epoch = p.qualifiers?.epoch;
  if (epoch && epoch !== '0' && !version.includes(':')) version = `${epoch}:${version}`;
  let name = p.name;
  if (p.type === 'pypi') name = name.toLowerCase().replace(/[-_.]+/g, '-');
  // Go versions are written with their "v" by Go and by us; Trivy drops it for go.mod entries.
  if (p.type === 'golang') version = version.replace(/^v/, '');
  return `${p.type}/${p.namespace ? `${p.namespace}/` : ''}${name}@${version}`;
}

function purlsOf(bomPath) {
  const bom = JSON.parse(fs.readFileSync(bomPath, 'utf8'));
  const keys = new Set();
  const walk = (components) => {
    for (const c of components ?? []) {
      if (c.purl) {
        const key = purlKey(c.purl);
        if (key) keys.add(key);
      }
      walk(c.components);
    }
  };
  walk(bom.components);
  return keys;
}

const byEcosystem = (keys) => {
  const counts = {};
  for (const key of keys) {
    const type = key.split('/')[0];
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
};

// ---- schema validation ----------------------------------------------------------------------
function validators() {
  const req = (m) => require(require.resolve(m, { paths: [path.join(ROOT, 'libs/scan')] }));
  const Ajv = req('ajv').default;
  const Ajv2020 = req('ajv/dist/2020').default;
  const addFormats = req('ajv-formats').default;
  const load = (p) => JSON.parse(fs.readFileSync(path.join(SCHEMAS, p), 'utf8'));
  const cdx = new Ajv({ strict: false, allErrors: false, logger: false });
  addFormats(cdx);
  cdx.addFormat('iri-reference', /^\S*$/);
  cdx.addFormat('idn-email', /^\S+@\S+$/);
  cdx.addSchema(load('cyclonedx/spdx.schema.json'));
  cdx.addSchema(load('cyclonedx/jsf-0.82.schema.json'));
  const spdx = new Ajv2020({ strict: false, allErrors: false, logger: false });
  addFormats(spdx);
  return {
    cyclonedx: cdx.compile(load('cyclonedx/bom-1.6.schema.json')),
    spdx: spdx.compile(load('spdx-3.0.1/schema.json')),
  };
}

// ---- run ------------------------------------------------------------------------------------
const ratio = (a, b) => (b > 0 ? a / b : NaN);
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const schemaCheck = fs.existsSync(SCHEMAS) ? validators() : undefined;

/** Median wall time and peak RSS of `runs` measurements (RSS of the same run as the median wall). */
function median(measurements) {
  const sorted = [...measurements].sort((a, b) => a.wall - b.wall);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
const repeat = (fn) => median(Array.from({ length: runs }, () => fn()));

const trivyVersion = warmOnly ? { wall: NaN } : repeat(() => measure(TRIVY, ['--version']));
if (!warmOnly) console.log(`Trivy bare start-up (--version): ${fmt(trivyVersion.wall)} s`);
const results = {
  machine: {
    cpus: os.cpus().length,
    node: process.version,
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  },
  trivyStartupSeconds: trivyVersion.wall,
  images: [],
  notes: [],
};

// ---- start-up of `stella scan` (what every separate CLI process pays before scanning) ----------
{
  /** Like measure, for commands whose exit code is not 0 by design. */
  const timeAny = (command, args) => {
    const start = process.hrtime.bigint();
    spawnSync(command, args, { encoding: 'utf8' });
    return { wall: Number(process.hrtime.bigint() - start) / 1e9 };
  };
  const bare = repeat(() => measure(process.execPath, ['-e', '0']));
  const help = repeat(() => measure(process.execPath, [STELLA, 'scan', '--help']));
  // `stella --help` loads every command module: what each `stella scan` paid before lazy loading.
  const allCommands = repeat(() => measure(process.execPath, [STELLA, '--help']));
  // Up to the first byte of work: the command, the scan library and its dependencies loaded, then a
  // source that does not exist (exit 1): everything a local scan loads except the CycloneDX writer.
  const missing = path.join(work, 'missing.tar');
  const ready = repeat(() =>
    timeAny(process.execPath, [STELLA, 'scan', `docker-archive:${missing}`, '--no-cache']),
  );
  const probe = spawnSync(process.execPath, [path.join(__dirname, 'startup-probe.js'), missing], {
    encoding: 'utf8',
  });
  const loaded = JSON.parse(probe.stdout.slice(probe.stdout.indexOf('{')));
  const forbidden = [
    'pg',
    'nats',
    'undici',
    'typeorm',
    '@nestjs/core',
    'libs/contracts',
    'libs/platform',
    'zod',
  ].filter((p) => loaded.packages.includes(p));
  results.startup = {
    nodeBareSeconds: bare.wall,
    scanHelpSeconds: help.wall,
    allCommandsHelpSeconds: allCommands.wall,
    scanReadySeconds: ready.wall,
    modulesLoaded: loaded.modules,
    packagesLoaded: loaded.packages,
    forbiddenLoaded: forbidden,
  };
  console.log(
    `stella scan start-up: bare node ${fmt(bare.wall)} s, \`stella scan --help\` ${fmt(help.wall)} s (\`stella --help\`, every command loaded: ${fmt(allCommands.wall)} s), ready to read a local archive ${fmt(ready.wall)} s (${loaded.modules} modules: ${loaded.packages.join(' ')}); pg/nats/undici/Nest/contracts/zod loaded: ${forbidden.length ? forbidden.join(' ') : 'none'}`,
  );
}

for (const name of imageNames) {
  const input = path.join(IMAGES, `${name}.docker.tar`);
  if (!fs.existsSync(input)) {
    console.error(`skipping ${name}: ${input} not built`);
    continue;
  }
  const sizeMb = fs.statSync(input).size / 1e6;
  const oursCdx = path.join(work, `${name}.ours.cdx.json`);
  const oursSpdx = path.join(work, `${name}.ours.spdx.json`);
  const theirs = path.join(work, `${name}.trivy.cdx.json`);
  const oursRuns = [];
  const theirRuns = [];
  for (let i = 0; i < runs; i++) {
    oursRuns.push(stella([`docker-archive:${input}`, '--no-cache', '-o', oursCdx]));
    theirRuns.push(trivy(input, theirs, fs.mkdtempSync(path.join(work, 'trivy-cache-'))));
  }
  const ours = median(oursRuns);
  const them = median(theirRuns);
  const trivyAnalysis = Math.max(0.001, them.wall - trivyVersion.wall);

  // Determinism and schema validity: a second run (other format, then the same one again).
  const cache = fs.mkdtempSync(path.join(work, 'cache-'));
  stella([`docker-archive:${input}`, '--cache-dir', cache, '--format', 'spdx-json', '-o', oursSpdx]);
  const again = path.join(work, `${name}.again.cdx.json`);
  stella([`docker-archive:${input}`, '--cache-dir', cache, '-o', again]);
  const identical = fs.readFileSync(again).equals(fs.readFileSync(oursCdx));
  let schemaValid;
  if (schemaCheck) {
    schemaValid = {
      cyclonedx: schemaCheck.cyclonedx(JSON.parse(fs.readFileSync(oursCdx, 'utf8'))),
      spdx: schemaCheck.spdx(JSON.parse(fs.readFileSync(oursSpdx, 'utf8'))),
    };
  }

  const ourKeys = purlsOf(oursCdx);
  const theirKeys = purlsOf(theirs);
  const onlyOurs = [...ourKeys].filter((k) => !theirKeys.has(k)).sort();
  const onlyTheirs = [...theirKeys].filter((k) => !ourKeys.has(k)).sort();
  const row = {
    image: name,
    tarballMb: sizeMb,
    ours: {
      wallSeconds: ours.wall,
      cpuSeconds: ours.cpu,
      peakRssMb: ours.rssMb,
      packages: ourKeys.size,
      byEcosystem: byEcosystem(ourKeys),
    },
    trivy: {
      wallSeconds: them.wall,
      cpuSeconds: them.cpu,
      analysisSeconds: trivyAnalysis,
      peakRssMb: them.rssMb,
      packages: theirKeys.size,
      byEcosystem: byEcosystem(theirKeys),
    },
    wallRatio: ratio(ours.wall, them.wall),
    analysisRatio: ratio(ours.wall, trivyAnalysis),
    rssRatio: ratio(ours.rssMb, them.rssMb),
    identicalAcrossRuns: identical,
    schemaValid,
    onlyOurs,
    onlyTrivy: onlyTheirs,
  };
  results.images.push(row);
  console.log(`\n## ${name} (${fmt(sizeMb, 0)} MB docker-archive)`);
  console.log(
    `  wall      ours ${fmt(ours.wall)} s   trivy ${fmt(them.wall)} s (analysis ${fmt(trivyAnalysis)} s)   ratio ${fmt(row.wallRatio)} (vs analysis ${fmt(row.analysisRatio)})`,
  );
  console.log(
    `  CPU       ours ${fmt(ours.cpu)} s   trivy ${fmt(them.cpu)} s   ratio ${fmt(ratio(ours.cpu, them.cpu))}`,
  );
  console.log(
    `  peak RSS  ours ${fmt(ours.rssMb, 0)} MB   trivy ${fmt(them.rssMb, 0)} MB   ratio ${fmt(row.rssRatio)}`,
  );
  console.log(
    `  packages  ours ${ourKeys.size} ${JSON.stringify(row.ours.byEcosystem)}   trivy ${theirKeys.size} ${JSON.stringify(row.trivy.byEcosystem)}`,
  );
  console.log(
    `  SBOMs     identical across runs: ${identical}; schema-valid: ${schemaValid ? `CycloneDX ${schemaValid.cyclonedx}, SPDX ${schemaValid.spdx}` : 'schemas not found'}`,
  );
  console.log(
    `  only ours (${onlyOurs.length}): ${onlyOurs.slice(0, 25).join(' ')}${onlyOurs.length > 25 ? ' …' : ''}`,
  );
  console.log(
    `  only Trivy (${onlyTheirs.length}): ${onlyTheirs.slice(0, 25).join(' ')}${onlyTheirs.length > 25 ? ' …' : ''}`,
  );
}

// Warm rescan: <name>-top shares every layer but its top one with <name> (mixed: 357 MB, large: 1.9 GB).
results.warmRescans = {};
for (const baseName of warmNames) {
  const base = path.join(IMAGES, `${baseName}.docker.tar`);
  const top = path.join(IMAGES, `${baseName}-top.docker.tar`);
  if (!fs.existsSync(base) || !fs.existsSync(top)) continue;
  const cache = fs.mkdtempSync(path.join(work, 'warm-'));
  const cold = repeat(() =>
    stella([`docker-archive:${top}`, '--no-cache', '-o', path.join(work, 'top-cold.json')]),
  );
  stella([`docker-archive:${base}`, '--cache-dir', cache, '-o', path.join(work, 'base-fill.json')]);
  const warm = repeat(() =>
    stella([`docker-archive:${top}`, '--cache-dir', cache, '-o', path.join(work, 'top-warm.json')]),
  );
  const same = fs
    .readFileSync(path.join(work, 'top-cold.json'))
    .equals(fs.readFileSync(path.join(work, 'top-warm.json')));
  // The same in one process (what the scanner service does): no Node start-up or module loading.
  const inProcess = spawnSync(
    process.execPath,
    [path.join(__dirname, 'warm-rescan.js'), base, top, String(runs)],
    {
      encoding: 'utf8',
    },
  );
  if (inProcess.status !== 0) throw new Error(`warm-rescan.js failed: ${inProcess.stderr}`);
  const library = JSON.parse(inProcess.stdout);
  results.warmRescans[`${baseName}-top`] = {
    coldSeconds: cold.wall,
    warmSeconds: warm.wall,
    speedup: cold.wall / warm.wall,
    coldCpuSeconds: cold.cpu,
    warmCpuSeconds: warm.cpu,
    cpuSpeedup: cold.cpu / warm.cpu,
    sameSbom: same,
    inProcess: library,
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(
    `\n## warm rescan of ${baseName}-top after ${baseName} (stella scan, one process each): cold ${fmt(cold.wall)} s, warm ${fmt(warm.wall)} s, speed-up ${fmt(cold.wall / warm.wall, 1)}x (CPU ${fmt(cold.cpu)} s -> ${fmt(warm.cpu)} s, ${fmt(cold.cpu / warm.cpu, 1)}x), same SBOM: ${same}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `   in one process (scanImage + CycloneDX): cold ${fmt(library.coldSeconds)} s, warm ${fmt(library.warmSeconds)} s, speed-up ${fmt(library.speedup, 1)}x`,
  );
}

results.notes.push(
  'Trivy runs with --skip-files "**/*.jar": any jar makes it try to download its Java DB, which is unreachable here, so it reports no Maven packages; ours reads pom.properties / MANIFEST.MF.',
  'Trivy start-up is measured with --version in the same run; "analysis" is its wall time minus that.',
  'purls are compared as type/namespace/name@version; Trivy writes the Debian epoch as a qualifier, it is folded into the version before comparing; Go versions are compared without their leading v.',
  'pypi: Trivy leaves out Python packages whose files belong to a dpkg package (python3-yaml ships PyYAML-6.0.egg-info); ours reports both the deb and the pypi package, which advisories name separately.',
  'golang stdlib: ours reports the Go standard library each binary was built with (go version from the build info), which Go advisories are filed against.',
  'golang (Trivy only) from go.mod files declaring go < 1.17: Trivy adds every go.sum line, including `/go.mod`-only hashes of modules the resolver inspected but never downloaded or built (GOROOT/src/crypto/internal/edwards25519/field/_asm/go.sum); ours adds only content-hashed go.sum modules.',
  'npm transport@0.0.1 (Trivy only) is a test fixture inside pino (node_modules/pino/test/fixtures/transport/package.json), not an installed package; ours reads package.json only for installed packages and application roots.',
);
fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
fs.writeFileSync(
  path.join(ROOT, warmOnly ? 'bench/results/scanner-warm.json' : 'bench/results/scanner.json'),
  JSON.stringify(results, null, 2) + '\n',
);
if (!warmOnly && !argv.includes('--skip-index')) {
  // The scanner service's component index at 5M rows (Postgres, NATS and s3rver on loopback).
  console.log('\n## component index (node bench/scanner/component-query.js)');
  const index = spawnSync(
    process.execPath,
    [path.join(__dirname, 'component-query.js'), '--runs', String(Math.max(runs, 5))],
    {
      stdio: 'inherit',
    },
  );
  if (index.status !== 0) console.error('component-query.js failed');
}
console.log('\nnotes:\n- ' + results.notes.join('\n- '));
console.log(
  `\nresults: bench/results/${warmOnly ? 'scanner-warm' : 'scanner'}.json${keep ? `; SBOMs kept in ${work}` : ''}`,
);
if (!keep) fs.rmSync(work, { recursive: true, force: true });

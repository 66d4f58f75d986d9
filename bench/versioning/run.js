#!/usr/bin/env node
// libs/versioning benchmarks, on the built package (`npm run build` first):
//   1. compareVersions(ecosystem, a, b) per second for every ecosystem, on strings (parse + compare);
//   2. the same for npm against the `semver` package's compare(a, b), and the ratio between them
//      (ours / semver: 1.0 means as fast; best of three alternating rounds each);
//   3. compareParsed on versions parsed once (the matching engine's hot path), per ecosystem;
//   4. OSV: compileAffected once, then evaluate(version) per second.
// Single-threaded. Results are printed and written to bench/results/versioning.json.
// STELLA_BENCH_VERSIONING_SECONDS sets the time per measurement (default 1).
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');

const SECONDS = Number(process.env.STELLA_BENCH_VERSIONING_SECONDS || 1);
const versioningDir = dirname(require.resolve('@stella/versioning/package.json'));
const versioning = require('@stella/versioning');
// The semver release libs/versioning itself uses (the workspace root may hold an older one).
const semver = require(require.resolve('semver', { paths: [versioningDir] }));

const VERSIONS = {
  npm: ['1.2.3', '1.2.4', '1.10.0', '2.0.0-rc.1', '2.0.0-rc.2', '2.0.0', '0.0.1', '4.17.21', '4.17.20', '10.1.0-beta.3', '3.0.0-alpha', '1.2.3+build.7'],
  'crates.io': ['0.1.0', '0.1.1', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0', '1.2.0', '0.9.0', '2.0.0-rc.1', '1.0.0+build'],
  PyPI: ['1.0', '1.0.0', '1.0a1', '1.0rc2', '1.0.post1', '1.0.dev3', '2!1.0', '2.28.1', '3.2.19', '4.2b1', '1.0+local.7', '23.9.0.post1'],
  Maven: ['1.0', '1.0.0', '1.0-SNAPSHOT', '1.0-alpha-1', '1.0-rc1', '2.0.0.M1', '5.3.9.RELEASE', '1.0-sp1', '9.0.44', '9.0.0-M11', '2.17.1', '1.0-1'],
  Go: ['v1.2.3', 'v1.2.4', 'v0.0.0-20191109021931-daa7c04131f5', 'v1.2.4-0.20200101000000-abcdefabcdef', 'v2.0.0+incompatible', 'v1.10.0', 'v1.2.3-rc.1', 'v0.1.0'],
  Debian: ['1.0-1', '1:1.0-1', '2.36-9+deb12u4', '2.36-9+deb12u3', '1.0~rc1-1', '0.9.8o-4squeeze15', '7.88.1-10+deb12u5', '3.0.11-1~deb12u2', '1.2.13.dfsg-1', '252.22-1~deb12u1'],
  Alpine: ['1.2.3-r0', '1.2.3-r1', '1.2.3_rc1-r0', '1.2.3_p1-r0', '3.1.4-r5', '2.38.1-r0', '1.36.1-r5', '8.5.0-r0', '1.0_git20230101-r2', '1.2.13-r1'],
  'Red Hat': ['1.1.1k-9.el8_7', '1:1.1.1k-12.el8_9', '3.0.7-25.el9_3', '2.28-225.el8', '7.61.1-30.el8_8.3', '1.0~rc1-1', '1.0^git1-1', '0:4.18.0-513.5.1.el8_9', '5.14.0-362.8.1.el9_3', '1.2.11-40.el9'],
  RubyGems: ['1.0', '1.0.0', '1.0.a', '1.0.rc1', '7.0.8', '7.0.8.1', '6.1.7.6', '2.2.0-beta', '1.13.10', '3.0.0.pre'],
  NuGet: ['1.0.0', '1.0.0.1', '1.0.0-beta', '1.0.0-BETA.2', '13.0.1', '6.0.0-preview.7.21377.19', '4.7.2', '2.1.0-rc1-final', '5.0.0', '1.01'],
};

function measure(fn) {
  for (let i = 0; i < 20000; i += 1) fn(i); // warm-up (JIT)
  let n = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i += 1) fn(n + i);
    n += 1000;
  }
  return n / ((performance.now() - started) / 1000);
}

function pairsOf(list) {
  const pairs = [];
  for (const a of list) for (const b of list) pairs.push([a, b]);
  return pairs;
}

let sink = 0;
const results = { date: new Date().toISOString(), node: process.version, secondsPerMeasurement: SECONDS, compareVersions: {}, compareParsed: {} };

for (const [ecosystem, list] of Object.entries(VERSIONS)) {
  const pairs = pairsOf(list);
  results.compareVersions[ecosystem] = Math.round(
    measure((i) => {
      const [a, b] = pairs[i % pairs.length];
      sink += versioning.compareVersions(ecosystem, a, b);
    }),
  );
  const parsed = list.map((v) => versioning.parseVersion(ecosystem, v));
  const parsedPairs = pairsOf(parsed);
  results.compareParsed[ecosystem] = Math.round(
    measure((i) => {
      const [a, b] = parsedPairs[i % parsedPairs.length];
      sink += versioning.compareParsed(a, b);
    }),
  );
}

// Alternating rounds, best of each: the shared machine's noise and JIT state hit both sides alike.
const npmPairs = pairsOf(VERSIONS.npm);
const ours = [];
const theirs = [];
for (let round = 0; round < 3; round += 1) {
  ours.push(
    measure((i) => {
      const [a, b] = npmPairs[i % npmPairs.length];
      sink += versioning.compareVersions('npm', a, b);
    }),
  );
  theirs.push(
    measure((i) => {
      const [a, b] = npmPairs[i % npmPairs.length];
      sink += semver.compare(a, b);
    }),
  );
}
const oursBest = Math.max(...ours);
const theirsBest = Math.max(...theirs);
results.npmVsSemver = {
  semverVersion: require(require.resolve('semver/package.json', { paths: [versioningDir] })).version,
  semverComparePerSec: Math.round(theirsBest),
  compareVersionsPerSec: Math.round(oursBest),
  ratio: Number((oursBest / theirsBest).toFixed(2)),
};

const affected = {
  package: { ecosystem: 'PyPI', name: 'django' },
  ranges: [
    {
      type: 'ECOSYSTEM',
      events: [{ introduced: '3.2' }, { fixed: '3.2.19' }, { introduced: '4.0' }, { fixed: '4.1.9' }, { introduced: '4.2' }, { fixed: '4.2.1' }],
    },
  ],
};
const evaluator = versioning.compileAffected('PyPI', affected);
const probes = ['3.1', '3.2.5', '3.2.19', '4.0.1', '4.1.9', '4.2', '4.2.1', '5.0'];
results.osvEvaluatePerSec = Math.round(
  measure((i) => {
    sink += evaluator.evaluate(probes[i % probes.length]).affected ? 1 : 0;
  }),
);

const rows = Object.keys(VERSIONS).map((e) => ({
  ecosystem: e,
  'compareVersions/s': results.compareVersions[e],
  'compareParsed/s': results.compareParsed[e],
}));
console.table(rows);
console.log(
  `npm: compareVersions ${results.npmVsSemver.compareVersionsPerSec}/s vs semver.compare ${results.npmVsSemver.semverComparePerSec}/s ` +
    `(semver ${results.npmVsSemver.semverVersion}), ratio ${results.npmVsSemver.ratio}`,
);
console.log(`OSV compileAffected(...).evaluate: ${results.osvEvaluatePerSec}/s (3-interval PyPI range)`);
if (sink === Number.MIN_SAFE_INTEGER) console.log('unreachable'); // keeps the loops from being optimised away

const out = resolve(__dirname, '../results/versioning.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written to ${join('bench', 'results', 'versioning.json')}`);

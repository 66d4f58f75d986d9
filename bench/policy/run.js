#!/usr/bin/env node
// libs/policy-engine benchmarks, on the built package (`npm run build` first), single-threaded:
//   1. Gate evaluation for a release of 5 images x 2,000 components x 300 findings with the example
//      Prod policy (libs/policy-engine/src/golden/policy.yaml: 13 gates, 2 CEL rules, delta against
//      a baseline): evaluatePolicy on a prepared input (validated and digested once by
//      prepareInput), the same without rules, and evaluatePolicy on the raw input (validation +
//      RFC 8785 digest + gates); wall p50/p99 and evaluations/s, and CPU time p50/p99 per call
//      (what one core spends, the stable figure on a shared machine).
//   2. CEL: one planned rule (finding scope) evaluated per second, and the ratio to the same rule
//      written as plain TypeScript, measured in the same run (best of three alternating rounds).
//   3. Re-evaluation without rescans belongs to services/policy: bench/policy/reevaluation.js
//      (its engineer's), run by this script after 1 and 2 when it exists, or alone with
//      `node bench/policy/run.js --only-reevaluation`.
// Results are printed and written to bench/results/policy.json.
// STELLA_BENCH_POLICY_SECONDS: time per measurement (default 10 for 1, a tenth of it per CEL round).
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');

const SECONDS = Number(process.env.STELLA_BENCH_POLICY_SECONDS || 10);
const IMAGES = 5;
const COMPONENTS = 2000;
const FINDINGS = 300;
const root = resolve(__dirname, '..', '..');
const reevaluation = join(__dirname, 'reevaluation.js');

function runReevaluation() {
  if (!existsSync(reevaluation)) {
    console.log('\nre-evaluation: bench/policy/reevaluation.js not present (services/policy provides it)');
    return;
  }
  console.log('\nre-evaluation (bench/policy/reevaluation.js):');
  require(reevaluation);
}

if (process.argv.includes('--only-reevaluation')) {
  runReevaluation();
  return;
}

const engine = require('@stella/policy-engine');
const engineDir = dirname(require.resolve('@stella/policy-engine/package.json'));
const { compileCel } = require(join(engineDir, 'dist', 'cel.js'));

// A deterministic pseudo-random generator: the same release every run.
let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(rnd() * list.length)];
const hex = (n, c) =>
  `sha256:${n.toString(16).padStart(8, '0').repeat(8)}`.replace(/^sha256:0/, `sha256:${c}`);

const SEVERITIES = [
  'critical',
  'high',
  'high',
  'medium',
  'medium',
  'medium',
  'low',
  'low',
  'none',
  'unknown',
];
const LICENSES = [
  'MIT',
  'Apache-2.0',
  'BSD-3-Clause',
  'ISC',
  'MIT OR Apache-2.0',
  'GPL-2.0-only',
  'LGPL-2.1-or-later',
  'Apache-2.0 AND MIT',
  'MPL-2.0',
  'Custom license',
];

function buildImage(i) {
  const components = [];
  for (let c = 0; c < COMPONENTS; c += 1) {
    const eco = c % 3 === 0 ? 'deb/debian' : 'npm';
    const version = `${1 + (c % 7)}.${c % 13}.${(c * 7) % 31}`;
    const name = `pkg-${i}-${c}`;
    const unknown = c % 500 === 0;
    components.push(
      unknown
        ? { name: `bin/blob-${c}`, identified: false }
        : {
            purl: `pkg:${eco}/${name}@${version}`,
            name,
            version,
            licenses: [pick(LICENSES)],
            identified: true,
          },
    );
  }
  const findings = [];
  for (let f = 0; f < FINDINGS; f += 1) {
    const comp = components[(f * 6 + 1) % COMPONENTS];
    const purl = comp.purl ?? `pkg:npm/x-${f}@1.0.0`;
    const fix = rnd() < 0.6;
    const vexRoll = rnd();
    const finding = {
      id: `CVE-20${20 + (f % 6)}-${10000 + i * 1000 + f}`,
      aliases: f % 4 === 0 ? [`GHSA-${f}-${i}`] : [],
      purl,
      installedVersion: comp.version ?? '1.0.0',
      severity: pick(SEVERITIES),
      cvss: Math.round(rnd() * 100) / 10,
      fixedVersions: fix ? ['99.0.0'] : [],
      fixAvailable: fix,
      kev: rnd() < 0.01,
      epss: Math.round(rnd() * 1000) / 1000,
      publishedAt: `202${f % 7}-0${1 + (f % 9)}-1${f % 10}T00:00:00Z`,
      rangeEvaluable: rnd() > 0.02,
    };
    if (vexRoll < 0.3)
      finding.vex = {
        status: pick(['not_affected', 'fixed', 'affected', 'under_investigation']),
        justification: 'vulnerable_code_not_in_execute_path',
        statementRefs: [hex(f, 'a')],
      };
    if (rnd() < 0.5)
      finding.reachability = {
        state: pick(['reachable', 'unreachable', 'unknown']),
        evidenceRef: hex(f, 'b'),
      };
    findings.push(finding);
  }
  return {
    digest: hex(i + 1, 'c'),
    name: `svc-${i}`,
    sbom: { present: true, digest: hex(i + 1, 'd'), scannedAt: '2026-11-19T08:00:00Z' },
    components,
    findings,
    attestations: [
      {
        predicateType: 'https://slsa.dev/provenance/v1',
        verified: true,
        signerKeyId: 'stella-ci-2026',
        builderId: 'https://ci.shop.example/builders/stella@v1',
      },
    ],
  };
}

const input = {
  schemaVersion: 'stella.policy.input/v1',
  evaluationTime: '2026-11-20T12:00:00Z',
  release: {
    id: 'rel_bench',
    name: 'bench',
    version: '1.0.0',
    manifestDigest: hex(99, 'e'),
    createdBy: 'ci-bench',
  },
  environment: { name: 'prod' },
  images: Array.from({ length: IMAGES }, (_, i) => buildImage(i)),
  approvals: [
    { approver: 'bob', time: '2026-11-20T10:00:00Z' },
    { approver: 'carol', time: '2026-11-20T11:00:00Z' },
  ],
  exceptions: Array.from({ length: 20 }, (_, k) => ({
    id: `exc_${k}`,
    vulnerability: `CVE-2020-${10000 + k * 6}`,
    component: `pkg-0-${(k * 36 + 1) % COMPONENTS}`,
    environment: 'prod',
    expiresAt: k % 2 ? '2026-12-31T00:00:00Z' : '2026-11-01T00:00:00Z',
    requestedBy: 'dave',
    approvedBy: ['erin'],
  })),
  feedSnapshotId: 'feed_bench',
  vexSnapshotId: 'vex_bench',
};
input.baseline = {
  releaseId: 'rel_prev',
  findings: engine.releaseFindingSet(input).filter((_, k) => k % 3 !== 0),
};

const policyText = readFileSync(join(root, 'libs', 'policy-engine', 'src', 'golden', 'policy.yaml'), 'utf8');
const policy = engine.compilePolicy(policyText);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Wall and CPU time per call (CPU time of this process: what one core spends, whatever the load). */
function timeLoop(fn, seconds) {
  for (let i = 0; i < 5; i += 1) fn(); // warm-up
  const wall = [];
  const cpu = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || wall.length < 20) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mean = wall.reduce((a, b) => a + b, 0) / wall.length;
  return {
    n: wall.length,
    p50: percentile(wall, 50),
    p99: percentile(wall, 99),
    mean,
    perSecond: 1000 / mean,
    cpuP50: percentile(cpu, 50),
    cpuP99: percentile(cpu, 99),
  };
}

const r2 = (x) => Math.round(x * 100) / 100;
const line = (name, m) =>
  `${name}: p50 ${r2(m.p50)} ms, p99 ${r2(m.p99)} ms, ${r2(m.perSecond)} evaluations/s (wall, ${m.n} runs); CPU p50 ${r2(m.cpuP50)} ms, p99 ${r2(m.cpuP99)} ms`;
const asJson = (m) => ({
  runs: m.n,
  p50Ms: r2(m.p50),
  p99Ms: r2(m.p99),
  perSecond: r2(m.perSecond),
  cpuP50Ms: r2(m.cpuP50),
  cpuP99Ms: r2(m.cpuP99),
});

const gatesOnly = engine.compilePolicy({ ...policy.document, rules: [] });
const prepared = engine.prepareInput(input);
let verdict;
const gates = timeLoop(() => {
  verdict = engine.evaluatePolicy(policy, prepared);
}, SECONDS);
const gatesNoRules = timeLoop(() => engine.evaluatePolicy(gatesOnly, prepared), SECONDS / 2);
const full = timeLoop(() => engine.evaluatePolicy(policy, input), SECONDS / 2);
const preparation = timeLoop(() => engine.prepareInput(input), SECONDS / 4);
const digest = timeLoop(() => engine.inputDigest(input), SECONDS / 4);
if (
  Buffer.compare(
    Buffer.from(engine.verdictBytes(verdict)),
    Buffer.from(engine.verdictBytes(engine.evaluatePolicy(policy, input))),
  ) !== 0
) {
  throw new Error('prepared and raw inputs gave different verdicts');
}

console.log(
  `release: ${IMAGES} images x ${COMPONENTS} components x ${FINDINGS} findings (${IMAGES * FINDINGS} findings); verdict ${verdict.verdict}, ${verdict.gates.length} gates, ${verdict.rules.length} CEL rules, ${verdict.unknowns.count} unknowns; load average ${require('node:os').loadavg()[0].toFixed(1)}`,
);
console.log(
  line('gate evaluation (13 gates + 2 CEL rules + delta, prepared input; target p99 < 20 ms)', gates),
);
console.log(line('gates only (no rules)', gatesNoRules));
console.log(line('evaluatePolicy on a raw input (validation + canonical digest + gates)', full));
console.log(
  `  prepareInput alone (zod validation + RFC 8785 digest + freeze): p50 ${r2(preparation.p50)} ms; inputDigest alone: p50 ${r2(digest.p50)} ms`,
);

// --- CEL: one planned rule vs the same rule in plain TypeScript -------------------------------
const RULE =
  '!(severityAtLeast(finding, "critical") && has(finding.reachability) && finding.reachability.state == "reachable" && !finding.fixAvailable)';
const RANK = { unknown: -1, none: 0, low: 1, medium: 2, high: 3, critical: 4 };
const planned = compileCel(RULE, 'finding', 'bench');
const findings = input.images.flatMap((image) => image.findings.map((finding) => ({ image, finding })));
const base = {
  input,
  release: input.release,
  environment: input.environment,
  images: input.images,
  approvals: input.approvals,
  exceptions: input.exceptions,
  now: input.evaluationTime,
};
const plain = (finding) =>
  !(
    RANK[finding.severity] >= RANK.critical &&
    finding.reachability !== undefined &&
    finding.reachability.state === 'reachable' &&
    !finding.fixAvailable
  );

let celFalse = 0;
let tsFalse = 0;
function rate(fn, seconds) {
  let n = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until) {
    for (let k = 0; k < findings.length; k += 1) fn(findings[k]);
    n += findings.length;
  }
  return n / ((performance.now() - t0) / 1000);
}
const celRound = () =>
  rate(({ image, finding }) => {
    const r = planned.evaluate({ ...base, image, finding });
    if (!r.ok) throw new Error(r.error);
    if (!r.value) celFalse += 1;
  }, SECONDS / 10);
const tsRound = () =>
  rate(({ finding }) => {
    if (!plain(finding)) tsFalse += 1;
  }, SECONDS / 10);
const cel = [];
const ts = [];
for (let round = 0; round < 3; round += 1) {
  cel.push(celRound());
  ts.push(tsRound());
}
const celBest = Math.max(...cel);
const tsBest = Math.max(...ts);
// Same answers: both sides must reject the same findings.
const celRejects = findings.filter(
  ({ image, finding }) => !planned.evaluate({ ...base, image, finding }).value,
).length;
const tsRejects = findings.filter(({ finding }) => !plain(finding)).length;
if (celRejects !== tsRejects) throw new Error(`CEL and TypeScript disagree: ${celRejects} vs ${tsRejects}`);
console.log(
  `CEL rule (planned once, finding scope): ${Math.round(celBest).toLocaleString('en')} evaluations/s; plain TypeScript: ${Math.round(tsBest).toLocaleString('en')}/s; CEL/TS ratio ${(celBest / tsBest).toFixed(4)} (TS ${Math.round(tsBest / celBest)}x faster); both reject ${celRejects} of ${findings.length} findings`,
);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  secondsPerMeasurement: SECONDS,
  release: { images: IMAGES, componentsPerImage: COMPONENTS, findingsPerImage: FINDINGS },
  gateEvaluation: asJson(gates),
  gatesOnly: asJson(gatesNoRules),
  rawInputEvaluation: asJson(full),
  prepareInputP50Ms: r2(preparation.p50),
  inputDigestP50Ms: r2(digest.p50),
  cel: {
    rule: RULE,
    perSecond: Math.round(celBest),
    typescriptPerSecond: Math.round(tsBest),
    ratio: celBest / tsBest,
  },
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'policy.json'), `${JSON.stringify(results, null, 2)}\n`);
void celFalse;
void tsFalse;

runReevaluation();

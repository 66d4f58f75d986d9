// `stella verify` of a typical evidence packet (a prod decision with three gates and two approvals,
// an inclusion proof in a log of 10^6 leaves): the whole CLI process (node start, argument parsing,
// reading the files, every check; wall and CPU time) and the in-process verifyArchive alone. Target: under 200 ms.
// Knobs: STELLA_BENCH_VERIFY_RUNS (CLI runs, default 15), STELLA_BENCH_VERIFY_LEAVES (default 1000000).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');

const RUNS = Number(process.env.STELLA_BENCH_VERIFY_RUNS || 15);
const LEAVES = Number(process.env.STELLA_BENCH_VERIFY_LEAVES || 1_000_000);
const root = resolve(__dirname, '../..');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchVerify() {
  const { createPacketFixture } = require(join(root, 'libs/evidence/dist/testing/packet-fixture.js'));
  const { verifyArchive } = require(join(root, 'libs/evidence/dist/index.js'));
  const fx = await createPacketFixture({ logSize: LEAVES });
  const dir = mkdtempSync(join(tmpdir(), 'stella-bench-verify-'));
  try {
    const packet = join(dir, 'packet.tar');
    const ca = join(dir, 'ca.pem');
    writeFileSync(packet, fx.packet.archive);
    writeFileSync(ca, fx.pki.caPem);
    const inProcess = [];
    for (let i = 0; i < Math.max(20, RUNS); i += 1) {
      const started = performance.now();
      const report = await verifyArchive(fx.packet.archive, { caPem: fx.pki.caPem, logKey: fx.logKey });
      inProcess.push(performance.now() - started);
      if (!report.ok) throw new Error('the benchmark packet did not verify');
    }
    const cli = [];
    const cpu = [];
    let checks = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const started = performance.now();
      const run = spawnSync(
        process.execPath,
        ['-r', join(__dirname, 'cpu-report.js'), join(root, 'services/cli/bin/stella.js'), 'verify', packet, '--ca', ca, '--log-key', fx.logKey],
        { encoding: 'utf8' },
      );
      cli.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`stella verify failed: ${run.stdout}${run.stderr}`);
      checks = run.stdout.trim().split('\n').length - 1;
      cpu.push(Number(/stella-bench-cpu-us (\d+)/.exec(run.stderr)?.[1] ?? NaN) / 1000);
    }
    const result = {
      packetBytes: fx.packet.archive.length,
      files: fx.packet.manifest.files.length,
      checks,
      logLeaves: LEAVES,
      proofHashes: fx.input.inclusionProof.hashes.length,
      cliRuns: RUNS,
      cliMedianMs: Number(median(cli).toFixed(1)),
      cliMinMs: Number(Math.min(...cli).toFixed(1)),
      cliMaxMs: Number(Math.max(...cli).toFixed(1)),
      loadAverage: require('node:os').loadavg().map((l) => Number(l.toFixed(2))),
      cliCpuMedianMs: Number(median(cpu).toFixed(1)),
      inProcessMedianMs: Number(median(inProcess.slice(3)).toFixed(2)),
      targetMs: 200,
    };
    // Wall time on a shared machine is mostly waiting for a core; CPU time is what the process costs.
    result.met = result.cliMedianMs < result.targetMs;
    result.cpuMet = result.cliCpuMedianMs < result.targetMs;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { benchVerify };

if (require.main === module) {
  benchVerify().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

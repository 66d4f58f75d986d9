#!/usr/bin/env node
// Resolve latency of @stella/oci against a real local registry (docker-registry 2.8 on loopback):
// tag -> digest for a single OCI manifest, and for a two-platform index with platform selection.
// Uses the compiled packages: run `npm run build` first (bench:oci does).
// usage: node bench/oci/run.js [--iterations N] [--warmup N]
'use strict';

const path = require('node:path');

function loadCompiled(relative) {
  const file = path.join(__dirname, '..', '..', relative);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      console.error(`missing ${relative}: run "npm run build" first`);
      process.exit(2);
    }
    throw error;
  }
}

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

function percentile(sorted, p) {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function round(ms) {
  return Math.round(ms * 1000) / 1000;
}

async function measure(name, iterations, warmup, operation) {
  for (let i = 0; i < warmup; i += 1) await operation();
  const samples = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = process.hrtime.bigint();
    await operation();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    scenario: name,
    iterations,
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
    meanMs: round(total / samples.length),
    minMs: round(samples[0]),
    maxMs: round(samples[samples.length - 1]),
  };
}

async function main() {
  const iterations = argument('iterations', 500);
  const warmup = argument('warmup', 25);
  const { RegistryClient } = loadCompiled('libs/oci/dist/index.js');
  const { startTestRegistry, pushTestImage } = loadCompiled('libs/testing/dist/registry.js');

  const registry = await startTestRegistry();
  const client = new RegistryClient();
  try {
    const single = await pushTestImage(registry, {
      repo: 'bench/single',
      tag: 'v1',
      files: { 'etc/bench': 'single\n' },
    });
    const multi = await pushTestImage(registry, {
      repo: 'bench/multi',
      tag: 'v1',
      files: { 'etc/bench': 'multi\n' },
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    const results = [];
    results.push(
      await measure('resolve tag (OCI manifest)', iterations, warmup, async () => {
        const resolved = await client.resolve(single.reference);
        if (resolved.digest !== single.digest)
          throw new Error(`resolved ${resolved.digest}, pushed ${single.digest}`);
      }),
    );
    results.push(
      await measure('resolve tag (OCI index, linux/arm64)', iterations, warmup, async () => {
        const resolved = await client.resolve(multi.reference, { platform: 'linux/arm64' });
        if (resolved.digest !== multi.digest)
          throw new Error(`resolved ${resolved.digest}, pushed ${multi.digest}`);
      }),
    );
    for (const result of results) {
      console.log(
        `${result.scenario.padEnd(40)} p50 ${result.p50Ms.toFixed(3)} ms  p99 ${result.p99Ms.toFixed(3)} ms  (n=${result.iterations})`,
      );
    }
    console.log(
      JSON.stringify({ bench: 'oci.resolve', registry: 'docker-registry 2.8 (loopback, no auth)', results }),
    );
  } finally {
    await client.close();
    await registry.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

#!/usr/bin/env node
// Throughput of @stella/attest DSSE envelopes against raw node:crypto, for Ed25519 and ECDSA P-256:
// envelope sign+verify per second (signEnvelope + verifyEnvelope, i.e. PAE, base64, strict parsing,
// trust-set checks) and the same payload signed+verified with bare crypto.sign/crypto.verify.
// The ratio shows what the envelope layer costs on top of the signature itself.
// Uses the compiled package: run `npx tsc -b libs/attest` (or `npm run build`) first.
// Raw and envelope runs alternate for --rounds rounds and the best round of each is kept, so a
// burst of load from other processes on a shared machine skews the ratio less.
// usage: node bench/attest/run.js [--iterations N] [--warmup N] [--rounds N] [--payload-bytes N]
'use strict';

const path = require('node:path');
const crypto = require('node:crypto');

function loadCompiled(relative) {
  const file = path.join(__dirname, '..', '..', relative);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      console.error(`missing ${relative}: run "npx tsc -b libs/attest" first`);
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

async function opsPerSecond(iterations, warmup, operation) {
  for (let i = 0; i < warmup; i += 1) await operation();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) await operation();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return iterations / seconds;
}

async function main() {
  const iterations = argument('iterations', 2000);
  const warmup = argument('warmup', 200);
  const rounds = argument('rounds', 5);
  const payloadBytes = argument('payload-bytes', 2048);
  const attest = loadCompiled('libs/attest/dist/index.js');

  // A JSON payload of the requested size, like a small in-toto Statement.
  const payload = Buffer.from(
    JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', pad: 'x'.repeat(payloadBytes) }).slice(
      0,
      payloadBytes,
    ),
  );
  const payloadType = attest.IN_TOTO_PAYLOAD_TYPE;
  const algorithms = [
    { name: 'ed25519', keys: crypto.generateKeyPairSync('ed25519'), digest: null },
    {
      name: 'ecdsa-p256-sha256',
      keys: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      digest: 'sha256',
    },
  ];

  const results = [];
  for (const { name, keys, digest } of algorithms) {
    const signer = attest.createKeySigner(keys.privateKey);
    const verifier = attest.createKeyVerifier(keys.publicKey);
    const trusted = [verifier];

    const sample = await attest.signEnvelope(payload, payloadType, [signer]);
    const serialized = attest.serializeEnvelope(sample);
    let raw = 0;
    let envelope = 0;
    let verifyFromJson = 0;
    for (let round = 0; round < rounds; round += 1) {
      raw = Math.max(
        raw,
        await opsPerSecond(iterations, warmup, () => {
          const signature = crypto.sign(digest, payload, keys.privateKey);
          if (!crypto.verify(digest, payload, keys.publicKey, signature))
            throw new Error('raw verify failed');
        }),
      );
      envelope = Math.max(
        envelope,
        await opsPerSecond(iterations, warmup, async () => {
          const signed = await attest.signEnvelope(payload, payloadType, [signer]);
          await attest.verifyEnvelope(signed, trusted);
        }),
      );
      verifyFromJson = Math.max(
        verifyFromJson,
        await opsPerSecond(iterations, warmup, () => attest.verifyEnvelope(serialized, trusted)),
      );
    }

    results.push({
      algorithm: name,
      payloadBytes: payload.length,
      iterations,
      rounds,
      rawSignVerifyPerSec: Math.round(raw),
      envelopeSignVerifyPerSec: Math.round(envelope),
      envelopeToRawRatio: Math.round((envelope / raw) * 1000) / 1000,
      envelopeVerifyFromJsonPerSec: Math.round(verifyFromJson),
    });
  }

  console.table(results);
  console.log(JSON.stringify({ bench: 'attest', node: process.version, results }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

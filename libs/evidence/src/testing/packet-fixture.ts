// A complete, real evidence packet built offline for tests and the benchmark: a root CA and a
// signing certificate made by openssl, the decision signed as a DSSE in-toto statement, logged in
// an in-memory RFC 6962 tree with a signed checkpoint, gates evaluated by libs/gates. Nothing faked.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDecisionRecordStatement, createKeySigner, serializeEnvelope, signEnvelope, signStatement } from '@stella/attest';
import { digestOf } from '@stella/canonical';
import {
  buildDecisionRecord,
  createGateRegistry,
  decisionInputsOf,
  decisionReasons,
  evaluateGates,
  gateEvaluations,
  verdictOf,
  type Gate,
  type GateContext,
  type GatePolicy,
} from '@stella/gates';
import { PolicyGate } from '@stella/policy-engine';
import { createNoteSigner, inclusionProof, leafHash, MemoryNodeStore, signCheckpoint } from '@stella/tlog';
import { buildDecisionPacket, type BuiltArchive, type DecisionPacketInput } from '../build';
import type { ManifestSigner } from '../sign';

export interface TestPki {
  caPem: string;
  leafPem: string;
  leafKeyPem: string;
}

/** A self-signed Ed25519 root CA and an Ed25519 leaf it issued (valid from an hour ago, one year). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'stella-pki-'));
  try {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');
    run('genpkey', '-algorithm', 'ed25519', '-out', 'ca.key');
    run('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=Stella Test Root CA', '-days', '3650', '-out', 'ca.pem',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    run('genpkey', '-algorithm', 'ed25519', '-out', 'leaf.key');
    run('req', '-new', '-key', 'leaf.key', '-subj', '/CN=stella-signer test', '-out', 'leaf.csr');
    run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '2', '-days', '365', '-extfile', 'leaf.ext', '-out', 'leaf.pem');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { caPem: read('ca.pem'), leafPem: read('leaf.pem'), leafKeyPem: read('leaf.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function keySigner(pki: TestPki): ManifestSigner {
  const signer = createKeySigner(createPrivateKey(pki.leafKeyPem));
  return {
    sign: async (payloadType, payload) => ({ envelope: await signEnvelope(payload, payloadType, [signer]), certificateChain: [pki.leafPem, pki.caPem] }),
  };
}

export interface PacketFixture {
  pki: TestPki;
  /** The log's verifier key (what `--log-key` pins). */
  logKey: string;
  logOrigin: string;
  input: DecisionPacketInput;
  packet: BuiltArchive;
  signer: ManifestSigner;
}

const policy: GatePolicy = {
  approvals: { required: 2, approverRoles: [] },
  separationOfDuties: true,
  freezeWindows: [{ kind: 'range', name: 'q-close', start: '2020-03-31T00:00:00Z', end: '2020-04-02T00:00:00Z' }],
  gates: ['previous-environment', 'freeze-window', 'approvals'],
  deployment: { mode: 'reported' },
};

/**
 * A prod allow with two approvals, signed, logged (among `logSize` entries) and packed. With
 * `policy`, the environment also runs the `policy` gate (libs/policy-engine), whose policy service
 * answer (the edge of the world here) is the given policy source and canonical input.
 */
export async function createPacketFixture(options: { logSize?: number; pki?: TestPki; policy?: { source: string; inputDocument: string } } = {}): Promise<PacketFixture> {
  const pki = options.pki ?? createTestPki();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();
  const release = { id: digestOf({ name: 'shop', version: '1.4.2' }), name: 'shop', version: '1.4.2', createdBy: 'client:ci' };
  const releaseManifest = {
    schema: 'https://stella-ops.dev/schemas/release-manifest/v1',
    name: 'shop',
    version: '1.4.2',
    components: [{ name: 'api', repository: 'registry.example.com/shop/api', digest: `sha256:${'a'.repeat(64)}` }],
  };
  release.id = digestOf(releaseManifest);
  const context: GateContext = {
    tenant: 'acme',
    now,
    promotion: { id: '7d7e1c1e-7d8a-4f39-9d7c-2f1e0b6f4a10', kind: 'promotion', requestedBy: 'user:alice' },
    release,
    environment: { name: 'prod', policy, policyDigest: digestOf(policy) },
    path: { environments: ['dev', 'stage', 'prod'], allowSkip: false, version: 1 },
    approvals: [
      { approver: 'user:bob', time: at(-60_000), comment: 'looks good' },
      { approver: 'user:carol', time: at(-30_000) },
    ],
    priorSuccesses: [{ environment: 'stage', promotionId: '5b0f6a8e-2a4c-4c8e-8f0e-3c1d2b4a5e60', state: 'deployed' }],
  };
  const extra: Gate[] = [];
  if (options.policy) {
    const answer = options.policy;
    extra.push(new PolicyGate({ evaluate: async () => ({ kind: 'evaluated', evaluationId: 'eval-test', policySource: answer.source, inputDocument: answer.inputDocument }) }));
    context.environment.policy = { ...policy, gates: ['previous-environment', 'freeze-window', 'policy', 'approvals'] };
    context.environment.policyDigest = digestOf(context.environment.policy);
  }
  const registry = createGateRegistry(extra);
  const results = await evaluateGates(context, (name) => registry.current(name));
  const verdict = verdictOf(results);
  if (verdict === 'pending') throw new Error('fixture decision is pending');
  const evaluatedAt = now.toISOString();
  const decision = buildDecisionRecord({
    tenant: context.tenant,
    release,
    environment: context.environment,
    path: context.path,
    verdict,
    reasons: decisionReasons(verdict, results),
    gates: gateEvaluations(results),
    approvals: context.approvals,
    evaluatedAt,
  });
  const inputs = decisionInputsOf({ context, results, evaluatedAt, approvals: context.approvals, path: context.path });

  const envelope = await signStatement(buildDecisionRecordStatement(decision.record), [createKeySigner(createPrivateKey(pki.leafKeyPem))]);
  const envelopeBytes = Buffer.from(serializeEnvelope(envelope), 'utf8');
  const logOrigin = 'stella-ops.test/log';
  const { privateKey } = generateKeyPairSync('ed25519');
  const noteSigner = createNoteSigner(logOrigin, privateKey);
  const store = new MemoryNodeStore();
  const size = Math.max(1, options.logSize ?? 1000);
  const index = Math.floor(size / 2);
  const leaves: Buffer[] = [];
  for (let i = 0; i < size; i += 1) leaves.push(i === index ? leafHash(envelopeBytes) : leafHash(Buffer.from(`entry ${i}`)));
  const root = store.append(leaves);
  const proof = await inclusionProof(store, index, size);
  const checkpoint = signCheckpoint({ origin: logOrigin, size, rootHash: root, extensions: [] }, [noteSigner]);

  const input: DecisionPacketInput = {
    tenant: 'acme',
    record: decision.record as unknown as DecisionPacketInput['record'],
    inputs,
    envelopeBytes,
    certificateChain: [pki.leafPem, pki.caPem],
    releaseManifest,
    attestations: [
      {
        attestationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
        predicateType: 'https://cyclonedx.org/bom',
        subjectDigests: [`sha256:${'a'.repeat(64)}`],
        envelopeDigest: `sha256:${'c'.repeat(64)}`,
        logIndex: 3,
      },
    ],
    inclusionProof: { logIndex: index, treeSize: size, hashes: proof.map((h) => h.toString('base64')) },
    checkpoint,
    logOrigin,
    signingTime: at(1000),
    // The policy service's stored evaluation bodies the policy gate's record references.
    ...(options.policy ? { policyBodies: { policySource: options.policy.source, inputDocument: options.policy.inputDocument } } : {}),
  };
  const signer = keySigner(pki);
  const packet = await buildDecisionPacket(input, signer);
  return { pki, logKey: noteSigner.verifier.vkey, logOrigin, input, packet, signer };
}

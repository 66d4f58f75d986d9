import { createPublicKey, X509Certificate } from 'node:crypto';
// The offline entry of libs/attest: the same checks, no schema library (fast start for `stella verify`).
import { chainProblemsAt, DECISION_RECORD_V1, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1, publicKeyId, verifyEnvelope } from '@stella/attest/offline';
import { canonicalize, contentId, sha256Digest } from '@stella/canonical';
import type * as PolicyEngine from '@stella/policy-engine';
import { leafHash, openCheckpoint, verifyInclusion } from '@stella/tlog';
import {
  AUDIT_PACK_V1,
  evidencePath,
  MANIFEST_PAYLOAD_TYPE,
  PacketPaths,
  parseAuditPackManifest,
  parseInclusionProofFile,
  parsePacketManifest,
  type AuditPackManifest,
  type PacketManifest,
} from './manifest';
import { readArchive, type ReadLimits } from './tar';

export interface Check {
  name: string;
  ok: boolean;
  /** The file the check is about (named on failure). */
  file?: string;
  detail?: string;
}

export interface VerifyOptions {
  /** The pinned Stella root CA (PEM). */
  caPem: string;
  /** The transparency log's verifier key (`<origin>+<hash>+<base64>`). */
  logKey: string;
  limits?: Partial<ReadLimits>;
}

export interface VerifyReport {
  kind: 'decision-packet' | 'audit-pack' | 'unknown';
  ok: boolean;
  checks: Check[];
}

const SIGNATURE_LAYER = new Set<string>([PacketPaths.manifest, PacketPaths.manifestSignature, PacketPaths.manifestSigner]);

class Checks {
  readonly list: Check[] = [];
  constructor(private readonly prefix = '') {}

  pass(name: string, file?: string, detail?: string): void {
    this.list.push({ name: this.prefix + name, ok: true, ...(file ? { file: this.prefix + file } : {}), ...(detail ? { detail } : {}) });
  }

  fail(name: string, file: string | undefined, detail: string): void {
    this.list.push({ name: this.prefix + name, ok: false, ...(file ? { file: this.prefix + file } : {}), detail });
  }

  async runAsync(name: string, file: string | undefined, body: () => Promise<string | void>): Promise<boolean> {
    try {
      const detail = await body();
      this.pass(name, file, detail ?? undefined);
      return true;
    } catch (error) {
      this.fail(name, file, (error as Error).message);
      return false;
    }
  }

  /** Runs `body`; a thrown error is the failure's detail. */
  run(name: string, file: string | undefined, body: () => string | void): boolean {
    try {
      const detail = body();
      this.pass(name, file, detail ?? undefined);
      return true;
    } catch (error) {
      this.fail(name, file, (error as Error).message);
      return false;
    }
  }
}

/**
 * Verifies an evidence packet or an audit pack fully offline, with only the pinned root CA and
 * the log's public key. Every check is reported (one per file hash, signature, chain, proof and
 * consistency rule); `ok` only when all pass. An archive that is not safe to read (truncated,
 * oversized, links, traversal) is refused before any check.
 */
export async function verifyArchive(archive: Buffer, options: VerifyOptions): Promise<VerifyReport> {
  const files = await readArchive(archive, options.limits);
  const manifestBytes = files.get(PacketPaths.manifest);
  const checks = new Checks();
  if (manifestBytes === undefined) {
    checks.fail('manifest present', PacketPaths.manifest, 'the archive has no manifest.json');
    return { kind: 'unknown', ok: false, checks: checks.list };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch (error) {
    checks.fail('manifest readable', PacketPaths.manifest, `not JSON: ${(error as Error).message}`);
    return { kind: 'unknown', ok: false, checks: checks.list };
  }
  const type = (raw as { _type?: unknown } | null)?._type;
  if (type === AUDIT_PACK_V1) {
    await verifyAuditPack(files, raw, options, checks);
    return { kind: 'audit-pack', ok: checks.list.every((c) => c.ok), checks: checks.list };
  }
  await verifyDecisionPacket(files, raw, options, checks);
  return { kind: 'decision-packet', ok: checks.list.every((c) => c.ok), checks: checks.list };
}

/** Manifest signature and its certificate chain; the file hashes against the manifest. */
async function verifySealed(files: Map<string, Buffer>, manifest: { files: Array<{ path: string; sha256: string; size: number }>; signingTime: string }, options: VerifyOptions, checks: Checks): Promise<void> {
  const at = new Date(manifest.signingTime);
  checks.run('certificate chain valid at signing time', PacketPaths.manifestSigner, () => {
    const pem = need(files, PacketPaths.manifestSigner).toString('utf8');
    const problems = chainProblemsAt(pem, options.caPem, at);
    if (problems.length > 0) throw new Error(`${problems.join(', ')} at ${manifest.signingTime}`);
    return `issued by the pinned CA, valid at ${manifest.signingTime}`;
  });
  await checks.runAsync('manifest signature', PacketPaths.manifestSignature, async () => {
    const key = keyOf(need(files, PacketPaths.manifestSigner).toString('utf8'));
    const verified = await verifyEnvelope(JSON.parse(need(files, PacketPaths.manifestSignature).toString('utf8')), [key], { payloadType: MANIFEST_PAYLOAD_TYPE });
    if (!verified.payload.equals(need(files, PacketPaths.manifest))) throw new Error('the signed payload is not manifest.json');
    return `signed by key ${key.keyId.slice(0, 16)}`;
  });
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    checks.run('sha256', file.path, () => {
      const data = files.get(file.path);
      if (data === undefined) throw new Error('missing from the archive');
      const actual = sha256Digest(data);
      if (actual !== file.sha256 || data.length !== file.size) throw new Error(`sha256 is ${actual}, manifest says ${file.sha256}`);
    });
  }
  const unlisted = [...files.keys()].filter((path) => !listed.has(path) && !SIGNATURE_LAYER.has(path));
  if (unlisted.length > 0) checks.fail('no unlisted files', unlisted[0], `not in the manifest: ${unlisted.join(', ')}`);
  else checks.pass('no unlisted files');
  checks.run('pinned CA', PacketPaths.ca, () => {
    const ca = files.get(PacketPaths.ca);
    if (ca === undefined) throw new Error('missing');
    if (!new X509Certificate(ca).raw.equals(new X509Certificate(options.caPem).raw)) throw new Error('certs/ca.pem is not the pinned root CA');
  });
}

async function verifyDecisionPacket(files: Map<string, Buffer>, raw: unknown, options: VerifyOptions, checks: Checks): Promise<void> {
  const parsed = parsePacketManifest(raw);
  if (!parsed.ok) {
    checks.fail('manifest schema', PacketPaths.manifest, parsed.problems.slice(0, 10).join('; '));
    return;
  }
  const manifest: PacketManifest = parsed.value;
  checks.pass('manifest schema', PacketPaths.manifest);
  await verifySealed(files, manifest, options, checks);
  const at = new Date(manifest.signingTime);

  // The decision's signature, certificate chain and log inclusion.
  checks.run('certificate chain valid at signing time', PacketPaths.decisionSigner, () => {
    const problems = chainProblemsAt(need(files, PacketPaths.decisionSigner).toString('utf8'), options.caPem, at);
    if (problems.length > 0) throw new Error(`${problems.join(', ')} at ${manifest.signingTime}`);
    return `issued by the pinned CA, valid at ${manifest.signingTime}`;
  });
  let record: Record<string, unknown> | undefined;
  checks.run('decision record readable', PacketPaths.record, () => {
    const parsed = JSON.parse(need(files, PacketPaths.record).toString('utf8')) as Record<string, unknown>;
    if (canonicalize(parsed) !== need(files, PacketPaths.record).toString('utf8')) throw new Error('not canonical JSON (RFC 8785)');
    const problems = decisionRecordProblems(parsed);
    if (problems.length > 0) throw new Error(`not a decision-record predicate v1: ${problems.join('; ')}`);
    record = parsed;
  });
  await checks.runAsync('decision signature', PacketPaths.envelope, async () => {
    const key = keyOf(need(files, PacketPaths.decisionSigner).toString('utf8'));
    const verified = await verifyEnvelope(JSON.parse(need(files, PacketPaths.envelope).toString('utf8')), [key], { payloadType: IN_TOTO_PAYLOAD_TYPE });
    const statement = JSON.parse(verified.payload.toString('utf8')) as { _type?: unknown; predicateType?: unknown; predicate?: unknown; subject?: Array<{ digest?: { sha256?: string } }> };
    if (statement._type !== IN_TOTO_STATEMENT_V1) throw new Error(`not an in-toto Statement v1 (${String(statement._type)})`);
    if (statement.predicateType !== DECISION_RECORD_V1) throw new Error(`predicate type ${String(statement.predicateType)}`);
    if (!Array.isArray(statement.subject) || statement.subject.length !== 1) throw new Error('the statement must have exactly one subject');
    if (canonicalize(statement.predicate) !== need(files, PacketPaths.record).toString('utf8')) throw new Error('the signed predicate is not decision/record.json');
    const subject = statement.subject[0]?.digest?.sha256;
    if (`sha256:${subject}` !== manifest.releaseManifestDigest) throw new Error('the statement subject is not the release manifest digest');
    return `signed by key ${key.keyId.slice(0, 16)}`;
  });
  let root: Buffer | undefined;
  let size = 0;
  checks.run('checkpoint signature', PacketPaths.checkpoint, () => {
    const opened = openCheckpoint(need(files, PacketPaths.checkpoint).toString('utf8'), [options.logKey], { origin: manifest.log.origin });
    root = Buffer.from(opened.rootHash);
    size = opened.size;
    return `${opened.origin} size ${opened.size}`;
  });
  checks.run('inclusion proof', PacketPaths.inclusionProof, () => {
    const parsedProof = parseInclusionProofFile(JSON.parse(need(files, PacketPaths.inclusionProof).toString('utf8')));
    if (!parsedProof.ok) throw new Error(parsedProof.problems.join('; '));
    const proof = parsedProof.value;
    if (root === undefined) throw new Error('no verified checkpoint to check against');
    if (proof.treeSize !== size) throw new Error(`proof is for tree size ${proof.treeSize}, checkpoint is ${size}`);
    if (proof.logIndex !== manifest.log.index) throw new Error('proof index is not the manifest log index');
    verifyInclusion(leafHash(need(files, PacketPaths.envelope)), proof.logIndex, proof.treeSize, proof.hashes.map((h) => Buffer.from(h, 'base64')), root);
    return `entry ${proof.logIndex} in tree of ${proof.treeSize}`;
  });

  // The decision record consistent with its inputs.
  if (record === undefined) return;
  const rec = record;
  checks.run('decision id is the content address', PacketPaths.record, () => {
    const { decisionId, ...body } = rec;
    const expected = contentId('dec', body);
    if (decisionId !== expected) throw new Error(`decisionId ${String(decisionId)}, content address ${expected}`);
    if (decisionId !== manifest.decisionId) throw new Error('manifest names another decision');
    if (sha256Digest(need(files, PacketPaths.record)) !== manifest.recordDigest) throw new Error('manifest recordDigest differs');
  });
  checks.run('release manifest digest', PacketPaths.releaseManifest, () => {
    const actual = sha256Digest(need(files, PacketPaths.releaseManifest));
    if (actual !== rec.releaseManifestDigest) throw new Error(`release/manifest.json is ${actual}, the record says ${String(rec.releaseManifestDigest)}`);
  });
  checks.run('approvals', PacketPaths.approvals, () => {
    if (need(files, PacketPaths.approvals).toString('utf8') !== canonicalize(rec.approvals)) throw new Error('differ from the record');
  });
  if (!files.has(PacketPaths.inputs)) {
    checks.fail('decision inputs', PacketPaths.inputs, 'the packet has no decision inputs (recorded before inputs were kept): gates cannot be checked or replayed');
    return;
  }
  checks.run('policy bundle hash', PacketPaths.policyBundle, () => {
    const actual = sha256Digest(need(files, PacketPaths.policyBundle));
    if (actual !== rec.policyHash) throw new Error(`policy/bundle.json is ${actual}, the record says ${String(rec.policyHash)}`);
  });
  checks.run('decision inputs match the record', PacketPaths.inputs, () => {
    const inputs = JSON.parse(need(files, PacketPaths.inputs).toString('utf8')) as {
      evaluatedAt?: string;
      context?: { tenant?: string; release?: { id?: string }; environment?: { name?: string } };
    };
    if (inputs.context?.release?.id !== rec.releaseManifestDigest) throw new Error('release differs');
    if (inputs.context?.environment?.name !== rec.environment) throw new Error('environment differs');
    if (inputs.context?.tenant !== rec.tenant) throw new Error('tenant differs');
    if (inputs.evaluatedAt !== rec.evaluatedAt) throw new Error('evaluatedAt differs');
  });
  const gates = (Array.isArray(rec.gates) ? rec.gates : []) as Array<{ name: string; inputs: Array<{ name: string; digest: string }> }>;
  for (const gate of gates) {
    gate.inputs.forEach((evidence, i) => {
      const path = evidencePath(gate.name, i, evidence.name);
      checks.run(`gate evidence ${gate.name}: ${evidence.name}`, path, () => {
        const data = files.get(path);
        if (data === undefined) throw new Error('missing from the packet');
        const actual = sha256Digest(data);
        if (actual !== evidence.digest) throw new Error(`is ${actual}, the record says ${evidence.digest}`);
      });
    });
  }
  verifyPolicyBodies(files, gates, checks);
}

/**
 * The `policy` gate's bodies: policy/source.yaml must compile to the policy the record's `policy`
 * evidence names, and policy/input.json must be the record's `policy-input` evidence. A decision
 * whose policy gate recorded a reference needs both files (replay reads them).
 */
function verifyPolicyBodies(
  files: Map<string, Buffer>,
  gates: ReadonlyArray<{ name: string; inputs: Array<{ name: string; digest: string }> }>,
  checks: Checks,
): void {
  const policyGate = gates.find((g) => g.name === 'policy');
  const source = files.get(PacketPaths.policySource);
  const input = files.get(PacketPaths.policyInput);
  let recorded: { kind?: unknown; evaluationId?: unknown; policyHash?: unknown; inputDigest?: unknown; policySource?: unknown } | undefined;
  try {
    recorded = (JSON.parse(need(files, PacketPaths.inputs).toString('utf8')) as { gates?: Array<{ name?: string; recorded?: typeof recorded }> }).gates?.find((g) => g.name === 'policy')?.recorded;
  } catch {
    recorded = undefined;
  }
  // A reference names its evaluation by digests; the older format inlined the bodies.
  const byReference = recorded?.kind === 'evaluated' && typeof recorded.policyHash === 'string' && typeof recorded.inputDigest === 'string';
  if (source === undefined && input === undefined) {
    if (byReference) {
      checks.fail('policy source and input', PacketPaths.policySource, `the policy gate recorded evaluation ${String(recorded?.evaluationId)} by reference, but the packet has neither ${PacketPaths.policySource} nor ${PacketPaths.policyInput}: it cannot be replayed`);
    }
    return;
  }
  const evidence = (name: string) => policyGate?.inputs.find((e) => e.name === name)?.digest;
  checks.run('policy input is the gate evidence', PacketPaths.policyInput, () => {
    if (input === undefined) throw new Error('missing from the packet');
    const expected = evidence('policy-input');
    if (expected === undefined) throw new Error('the decision record has no policy-input evidence for the policy gate');
    const actual = sha256Digest(input);
    if (actual !== expected) throw new Error(`is ${actual}, the record's policy-input evidence is ${expected}`);
    if (byReference && recorded?.inputDigest !== expected) throw new Error(`the recorded reference names input ${String(recorded?.inputDigest)}`);
  });
  checks.run('policy source is the gate evidence', PacketPaths.policySource, () => {
    if (source === undefined) throw new Error('missing from the packet');
    const expected = evidence('policy');
    if (expected === undefined) throw new Error('the decision record has no policy evidence for the policy gate');
    // Loaded only for packets that carry a policy source (a plain `stella verify` stays fast).
    const { compilePolicy } = require('@stella/policy-engine') as typeof PolicyEngine;
    const actual = compilePolicy(source.toString('utf8')).policyHash;
    if (actual !== expected) throw new Error(`compiles to policy ${actual}, the record's policy evidence is ${expected}`);
    if (byReference && recorded?.policyHash !== expected) throw new Error(`the recorded reference names policy ${String(recorded?.policyHash)}`);
    return `policy ${actual}`;
  });
}

async function verifyAuditPack(files: Map<string, Buffer>, raw: unknown, options: VerifyOptions, checks: Checks): Promise<void> {
  const parsed = parseAuditPackManifest(raw);
  if (!parsed.ok) {
    checks.fail('manifest schema', PacketPaths.manifest, parsed.problems.slice(0, 10).join('; '));
    return;
  }
  const manifest: AuditPackManifest = parsed.value;
  checks.pass('manifest schema', PacketPaths.manifest);
  await verifySealed(files, manifest, options, checks);
  for (const decision of manifest.decisions) {
    const inner = files.get(decision.packet);
    if (inner === undefined) {
      checks.fail('packet present', decision.packet, 'missing from the audit pack');
      continue;
    }
    try {
      const report = await verifyArchive(inner, options);
      const prefixed = new Checks(`${decision.packet}: `);
      for (const c of report.checks) {
        if (c.ok) prefixed.pass(c.name, c.file, c.detail);
        else prefixed.fail(c.name, c.file, c.detail ?? 'failed');
      }
      if (report.kind !== 'decision-packet') prefixed.fail('is a decision packet', undefined, 'not a decision packet');
      checks.list.push(...prefixed.list);
      const manifestFile = inner && (await readArchive(inner)).get(PacketPaths.manifest);
      const innerManifest = manifestFile ? (JSON.parse(manifestFile.toString('utf8')) as { decisionId?: string; environment?: string }) : {};
      checks.run('packet belongs to the pack', decision.packet, () => {
        if (innerManifest.decisionId !== decision.decisionId) throw new Error(`holds decision ${String(innerManifest.decisionId)}`);
        if (innerManifest.environment !== manifest.environment) throw new Error(`is for environment ${String(innerManifest.environment)}`);
      });
    } catch (error) {
      checks.fail('packet readable', decision.packet, (error as Error).message);
    }
  }
}

function need(files: Map<string, Buffer>, path: string): Buffer {
  const data = files.get(path);
  if (data === undefined) throw new Error(`${path} is missing`);
  return data;
}

function keyOf(pem: string): { keyId: string; publicKey: ReturnType<typeof createPublicKey> } {
  const publicKey = new X509Certificate(pem).publicKey;
  return { keyId: publicKeyId(publicKey), publicKey };
}

/**
 * The fields the consistency checks read, checked by hand (the signature and the content address
 * already bind every byte; this keeps a tampered record from crashing the checks that follow).
 */
function decisionRecordProblems(record: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const str = (key: string) => typeof record[key] === 'string' || problems.push(`${key}: expected a string`);
  for (const key of ['decisionId', 'releaseManifestDigest', 'environment', 'tenant', 'policyHash', 'evaluatedAt', 'engineVersion']) str(key);
  if (record.verdict !== 'allow' && record.verdict !== 'deny') problems.push('verdict: expected allow or deny');
  if (!Array.isArray(record.approvals)) problems.push('approvals: expected an array');
  if (!Array.isArray(record.gates)) problems.push('gates: expected an array');
  else {
    record.gates.forEach((gate: unknown, i) => {
      const g = gate as { name?: unknown; inputs?: unknown };
      if (typeof g?.name !== 'string') problems.push(`gates[${i}].name: expected a string`);
      if (!Array.isArray(g?.inputs)) problems.push(`gates[${i}].inputs: expected an array`);
      else
        g.inputs.forEach((input: unknown, j) => {
          const e = input as { name?: unknown; digest?: unknown };
          if (typeof e?.name !== 'string' || typeof e?.digest !== 'string') problems.push(`gates[${i}].inputs[${j}]: expected {name, digest}`);
        });
    });
  }
  return problems;
}

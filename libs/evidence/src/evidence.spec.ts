import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tar from 'tar-stream';
import { canonicalize } from '@stella/canonical';
import { buildDecisionPacket } from './build';
import { PacketPaths } from './manifest';
import { replayPacket } from './replay';
import { readArchive, writeDeterministicTar } from './tar';
import { createPacketFixture, createTestPki, type PacketFixture } from './testing/packet-fixture';
import { verifyArchive } from './verify';

async function rawTar(entries: Array<{ name: string; type?: 'file' | 'symlink' | 'directory'; data?: string; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => {
    pack.on('data', (c) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
  });
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'directory') pack.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) });
    else pack.entry({ name: e.name }, e.data ?? '');
  }
  pack.finalize();
  return done;
}

async function rewrite(archive: Buffer, change: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const files = await readArchive(archive);
  change(files);
  return writeDeterministicTar([...files].map(([path, data]) => ({ path, data })));
}

function flip(data: Buffer, at = Math.floor(data.length / 2)): Buffer {
  const copy = Buffer.from(data);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('evidence packets', () => {
  let fx: PacketFixture;
  let options: { caPem: string; logKey: string };

  beforeAll(async () => {
    fx = await createPacketFixture({ logSize: 37 });
    options = { caPem: fx.pki.caPem, logKey: fx.logKey };
  });

  it('verify passes on an untouched packet, one check per file hash, signature, chain, proof and rule', async () => {
    const report = await verifyArchive(fx.packet.archive, options);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    const names = report.checks.map((c) => c.name);
    for (const name of ['manifest signature', 'decision signature', 'checkpoint signature', 'inclusion proof', 'decision id is the content address', 'release manifest digest', 'policy bundle hash']) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => n.startsWith('gate evidence')).length).toBeGreaterThanOrEqual(5);
    expect(report.checks.filter((c) => c.name === 'certificate chain valid at signing time')).toHaveLength(2);
  });

  it('is deterministic: the same decision gives the same bytes, sorted entries, mtime/uid/gid 0, mode 0644', async () => {
    const again = await buildDecisionPacket(fx.input, fx.signer);
    expect(again.archive.equals(fx.packet.archive)).toBe(true);
    const headers: tar.Header[] = [];
    const extract = tar.extract();
    await new Promise<void>((resolve) => {
      extract.on('entry', (h, s, next) => {
        headers.push(h);
        s.resume();
        s.on('end', next);
      });
      extract.on('finish', resolve);
      extract.end(fx.packet.archive);
    });
    const names = headers.map((h) => h.name);
    expect(names).toEqual([...names].sort());
    for (const h of headers) expect([h.mtime?.getTime(), h.uid, h.gid, h.mode]).toEqual([0, 0, 0, 0o644]);
  });

  it('catches a flipped byte in every file, naming it', async () => {
    const files = await readArchive(fx.packet.archive);
    for (const path of files.keys()) {
      const tampered = await rewrite(fx.packet.archive, (f) => f.set(path, flip(f.get(path)!)));
      const report = await verifyArchive(tampered, options);
      expect({ path, ok: report.ok }).toEqual({ path, ok: false });
      expect(report.checks.filter((c) => !c.ok).map((c) => c.file)).toContain(path);
    }
  });

  it('catches a swapped signature on the decision and on the manifest', async () => {
    const other = await createPacketFixture({ logSize: 5 });
    const theirs = await readArchive(other.packet.archive);
    for (const path of [PacketPaths.envelope, PacketPaths.manifestSignature]) {
      const swapped = await rewrite(fx.packet.archive, (f) => {
        const mine = JSON.parse(f.get(path)!.toString('utf8')) as { signatures: unknown[] };
        mine.signatures = (JSON.parse(theirs.get(path)!.toString('utf8')) as { signatures: unknown[] }).signatures;
        f.set(path, Buffer.from(canonicalize(mine)));
      });
      const report = await verifyArchive(swapped, options);
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.file === path && !c.ok)).toBeDefined();
    }
    // A whole packet from another CA and log fails on the chains and the checkpoint.
    const foreign = await verifyArchive(other.packet.archive, options);
    expect(foreign.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(
      expect.arrayContaining(['certificate chain valid at signing time', 'checkpoint signature', 'pinned CA']),
    );
  });

  it('catches a re-signed manifest over tampered content when the signer is not under the pinned CA', async () => {
    const rogue = createTestPki();
    const tamperedInput = { ...fx.input, releaseManifest: { ...(fx.input.releaseManifest as object), version: '6.6.6' } };
    const { keySigner } = await import('./testing/packet-fixture');
    const forged = await buildDecisionPacket(tamperedInput, keySigner(rogue));
    const report = await verifyArchive(forged.archive, options);
    expect(report.checks.filter((c) => !c.ok).map((c) => `${c.name} ${c.file}`)).toEqual(
      expect.arrayContaining([`certificate chain valid at signing time ${PacketPaths.manifestSigner}`, `release manifest digest ${PacketPaths.releaseManifest}`]),
    );
    expect(new X509Certificate(rogue.caPem).raw.equals(new X509Certificate(fx.pki.caPem).raw)).toBe(false);
  });

  it('refuses truncated and oversized archives, traversal, absolute paths, links and duplicates', async () => {
    const a = fx.packet.archive;
    await expect(verifyArchive(a.subarray(0, a.length - 1536), options)).rejects.toMatchObject({ code: 'ARCHIVE_TRUNCATED' });
    await expect(verifyArchive(a.subarray(0, 700), options)).rejects.toMatchObject({ code: 'ARCHIVE_TRUNCATED' });
    await expect(verifyArchive(a, { ...options, limits: { maxArchiveBytes: 1024 } })).rejects.toMatchObject({ code: 'ARCHIVE_TOO_LARGE' });
    await expect(verifyArchive(a, { ...options, limits: { maxEntryBytes: 64 } })).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    await expect(verifyArchive(await rawTar([{ name: '../etc/passwd', data: 'x' }]), options)).rejects.toMatchObject({ code: 'ENTRY_UNSAFE' });
    await expect(verifyArchive(await rawTar([{ name: 'decision/../../x', data: 'x' }]), options)).rejects.toMatchObject({ code: 'ENTRY_UNSAFE' });
    await expect(verifyArchive(await rawTar([{ name: '/etc/passwd', data: 'x' }]), options)).rejects.toMatchObject({ code: 'ENTRY_UNSAFE' });
    await expect(verifyArchive(await rawTar([{ name: 'manifest.json', type: 'symlink', linkname: '/etc/passwd' }]), options)).rejects.toMatchObject({ code: 'ENTRY_UNSAFE' });
    await expect(verifyArchive(await rawTar([{ name: 'decision', type: 'directory' }]), options)).rejects.toMatchObject({ code: 'ENTRY_UNSAFE' });
    await expect(verifyArchive(await rawTar([{ name: 'a.json', data: '1' }, { name: 'a.json', data: '2' }]), options)).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY' });
    await expect(writeDeterministicTar([{ path: '../x', data: Buffer.alloc(1) }])).rejects.toMatchObject({ code: 'ENTRY_UNSAFE' });
  });

  it('replay reproduces the decision byte for byte, and names the fields that differ when inputs changed', async () => {
    expect(await replayPacket(fx.packet.archive)).toMatchObject({ reproduced: true, decisionId: fx.input.record.decisionId, differences: [] });
    const changed = await rewrite(fx.packet.archive, (f) => {
      const inputs = JSON.parse(f.get(PacketPaths.inputs)!.toString('utf8')) as { context: { approvals: Array<{ comment?: string }> }; approvals: Array<{ comment?: string }> };
      inputs.context.approvals[0]!.comment = 'rubber stamp';
      inputs.approvals[0]!.comment = 'rubber stamp';
      f.set(PacketPaths.inputs, Buffer.from(canonicalize(inputs)));
    });
    const report = await replayPacket(changed);
    const pending = await rewrite(fx.packet.archive, (f) => {
      const inputs = JSON.parse(f.get(PacketPaths.inputs)!.toString('utf8')) as { context: { approvals: unknown[] } };
      inputs.context.approvals = [];
      f.set(PacketPaths.inputs, Buffer.from(canonicalize(inputs)));
    });
    expect(await replayPacket(pending)).toMatchObject({ reproduced: false, error: expect.stringContaining('pending') });
    expect(report.reproduced).toBe(false);
    expect(report.differences.map((d) => d.path)).toEqual(expect.arrayContaining(['decisionId', 'approvals[0].comment', 'gates[2].inputs[1].digest']));
  });
});

describe('evidence packets with the policy gate', () => {
  const golden = join(__dirname, '..', '..', 'policy-engine', 'src', 'golden');
  const source = readFileSync(join(golden, 'policy.yaml'), 'utf8');
  const scenario = JSON.parse(readFileSync(join(golden, 'dev-allows-with-warnings.json'), 'utf8')) as { input: unknown };
  const inputDocument = canonicalize(scenario.input);
  let fx: PacketFixture;
  beforeAll(async () => {
    fx = await createPacketFixture({ logSize: 9, policy: { source, inputDocument } });
  });
  const options = () => ({ caPem: fx.pki.caPem, logKey: fx.logKey });

  it('packs the referenced policy source and input, verifies them against the gate evidence and replays offline', async () => {
    const files = await readArchive(fx.packet.archive);
    const recorded = JSON.parse(files.get('policy/policy-gate.json')!.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(recorded).sort()).toEqual(['evaluationId', 'inputDigest', 'kind', 'policyHash', 'verdictDigest']);
    expect(files.get(PacketPaths.policySource)!.toString('utf8')).toBe(source);
    expect(files.get(PacketPaths.policyInput)!.toString('utf8')).toBe(inputDocument);
    expect(fx.packet.manifest.files.filter((f) => f.path.startsWith('policy/')).map((f) => [f.path, f.role])).toEqual([
      ['policy/bundle.json', 'policy-bundle'],
      ['policy/input.json', 'policy-input'],
      ['policy/policy-gate.json', 'policy-gate'],
      ['policy/source.yaml', 'policy-source'],
    ]);
    expect([...files.keys()].filter((p) => p.startsWith('gates/policy/'))).toEqual(['gates/policy/00-policy.json', 'gates/policy/01-policy-evaluation.json', 'gates/policy/02-policy-input.json']);
    const report = await verifyArchive(fx.packet.archive, options());
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.filter((c) => c.name.startsWith('gate evidence policy')).length).toBe(3);
    expect(report.checks.filter((c) => c.name.endsWith('is the gate evidence') && c.ok).map((c) => c.name)).toEqual(['policy input is the gate evidence', 'policy source is the gate evidence']);
    expect(await replayPacket(fx.packet.archive)).toMatchObject({ reproduced: true });
  });

  it('verify and replay catch a policy source or input that is not the evaluated one', async () => {
    const otherInput = await rewrite(fx.packet.archive, (f) => {
      const input = JSON.parse(f.get(PacketPaths.policyInput)!.toString('utf8')) as Record<string, unknown>;
      f.set(PacketPaths.policyInput, Buffer.from(canonicalize({ ...input, environment: 'prod' })));
    });
    const report = await verifyArchive(otherInput, options());
    expect(report.checks.find((c) => c.name === 'policy input is the gate evidence')).toMatchObject({ ok: false, detail: expect.stringContaining("the record's policy-input evidence is") });
    expect(await replayPacket(otherInput)).toMatchObject({ reproduced: false, error: expect.stringContaining('the decision recorded') });
    const otherSource = await rewrite(fx.packet.archive, (f) => {
      f.set(PacketPaths.policySource, Buffer.from(source.replace("version: '2026.11.1'", "version: '2026.11.2'")));
    });
    const report2 = await verifyArchive(otherSource, options());
    expect(report2.checks.find((c) => c.name === 'policy source is the gate evidence')).toMatchObject({ ok: false, detail: expect.stringContaining('compiles to policy') });
    expect((await replayPacket(otherSource)).reproduced).toBe(false);
  });

  it('a packet without the referenced bodies fails verify and says why replay cannot run', async () => {
    const stripped = await rewrite(fx.packet.archive, (f) => {
      f.delete(PacketPaths.policySource);
      f.delete(PacketPaths.policyInput);
    });
    const report = await verifyArchive(stripped, options());
    expect(report.checks.find((c) => c.name === 'policy source and input')).toMatchObject({ ok: false, detail: expect.stringContaining('by reference') });
    expect(await replayPacket(stripped)).toMatchObject({ reproduced: false, error: expect.stringContaining('not available to replay') });
  });

  it('still replays a decision of the older format whose record inlines the bodies', async () => {
    const older = await rewrite(fx.packet.archive, (f) => {
      const inputs = JSON.parse(f.get(PacketPaths.inputs)!.toString('utf8')) as { gates: Array<{ name: string; recorded?: Record<string, unknown> }> };
      const gate = inputs.gates.find((g) => g.name === 'policy')!;
      gate.recorded = { kind: 'evaluated', evaluationId: gate.recorded!.evaluationId, policySource: source, inputDocument };
      f.set(PacketPaths.inputs, Buffer.from(canonicalize(inputs)));
      f.delete(PacketPaths.policySource);
      f.delete(PacketPaths.policyInput);
    });
    expect(await replayPacket(older)).toMatchObject({ reproduced: true });
    // Another policy text in the inlined record changes the policy gate's evidence: not reproduced.
    const changed = await rewrite(older, (f) => {
      const inputs = JSON.parse(f.get(PacketPaths.inputs)!.toString('utf8')) as { gates: Array<{ name: string; recorded?: { policySource: string } }> };
      const gate = inputs.gates.find((g) => g.name === 'policy')!;
      gate.recorded!.policySource = gate.recorded!.policySource.replace("version: '2026.11.1'", "version: '2026.11.2'");
      f.set(PacketPaths.inputs, Buffer.from(canonicalize(inputs)));
    });
    const report2 = await replayPacket(changed);
    expect(report2.reproduced).toBe(false);
    expect(report2.differences.map((d) => d.path)).toContain('decisionId');
  });

  it('refuses to build a packet without the referenced bodies, or with other ones', async () => {
    const { policyBodies: _bodies, ...withoutBodies } = fx.input;
    await expect(buildDecisionPacket(withoutBodies, fx.signer)).rejects.toMatchObject({ code: 'POLICY_BODIES_MISSING' });
    await expect(
      buildDecisionPacket({ ...fx.input, policyBodies: { policySource: source, inputDocument: canonicalize({ ...(scenario.input as object), environment: 'prod' }) } }, fx.signer),
    ).rejects.toMatchObject({ code: 'POLICY_BODIES_MISMATCH' });
  });
});

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canonicalize } from '@stella/canonical';
import { streamName } from '@stella/bus';
import { PacketPaths, readArchive, writeDeterministicTar } from '@stella/evidence';
import { RetentionSweeper } from '../src/retention/retention-sweeper';
import { publishDecision, startEvidenceFleet, type EvidenceFleet } from './export-harness';

const STELLA = resolve(__dirname, '../../cli/bin/stella.js');

// Done means: a decision becomes, with no manual step, a signed, logged evidence packet in the
// object store; `stella verify` (offline: pinned CA + log key only) passes on it and fails on
// tampered copies; `stella replay` reproduces it byte for byte.
describe('export: evidence packets from decisions, end to end', () => {
  let fleet: EvidenceFleet;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    fleet = await startEvidenceFleet();
    dir = mkdtempSync(join(tmpdir(), 'stella-export-it-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, fleet.caPem);
  }, 60_000);
  afterAll(async () => {
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function waitForPacket(decisionId: string): Promise<{ id: string; sha256: string; retentionClass: string; size: number }> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const list = await fleet.api('GET', `/api/v1/packets?decision=${decisionId}`);
      expect(list.status).toBe(200);
      if (list.body.packets.length === 1) return list.body.packets[0];
      if (Date.now() > deadline) throw new Error(`no packet for ${decisionId}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  function cli(...args: string[]): { status: number; stdout: string } {
    const result = spawnSync(process.execPath, [STELLA, ...args], { encoding: 'utf8' });
    return { status: result.status ?? -1, stdout: result.stdout + result.stderr };
  }

  let prod: { decisionId: string; packetId: string; file: string; bytes: Buffer };
  let dev: { decisionId: string; packetId: string };

  it('turns an orchestrator decision into a signed, logged packet in the object store with no manual step', async () => {
    const published = await publishDecision(fleet.bus, 'prod', '1.4.2');
    const packet = await waitForPacket(published.decisionId);
    expect(packet).toMatchObject({ retentionClass: 'regulated' });
    const meta = await fleet.api('GET', `/api/v1/packets/${packet.id}`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ decisionId: published.decisionId, environment: 'prod', verdict: 'allow', releaseManifestDigest: published.releaseId });
    const content = await fleet.api('GET', `/api/v1/packets/${packet.id}/content`);
    expect(content.status).toBe(200);
    expect(`sha256:${createHash('sha256').update(content.bytes).digest('hex')}`).toBe(packet.sha256);
    const file = join(dir, 'prod.tar');
    writeFileSync(file, content.bytes);
    prod = { decisionId: published.decisionId, packetId: packet.id, file, bytes: content.bytes };
    const files = await readArchive(content.bytes);
    expect([...files.keys()]).toEqual(expect.arrayContaining([PacketPaths.manifest, PacketPaths.manifestSignature, PacketPaths.record, PacketPaths.envelope, PacketPaths.inputs, PacketPaths.checkpoint, PacketPaths.inclusionProof, PacketPaths.ca, PacketPaths.decisionSigner, PacketPaths.releaseManifest, PacketPaths.policyBundle, PacketPaths.approvals]));
    // Announced through the outbox on the export stream (stella.export.packet.stored).
    const jsm = await fleet.bus.nc.jetstreamManager();
    const stream = streamName(fleet.bus.prefix, { name: 'EXPORT' });
    const deadline = Date.now() + 15_000;
    let last: { subject: string; data: Uint8Array } | undefined;
    while (Date.now() < deadline && last === undefined) {
      last = await jsm.streams.getMessage(stream, { last_by_subj: `${fleet.bus.prefix}.export.packet.stored` }).catch(() => undefined);
      if (last === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(JSON.parse(Buffer.from(last!.data).toString('utf8'))).toMatchObject({ type: 'stella.export.packet.stored', data: { decisionId: published.decisionId, packetId: packet.id, sha256: packet.sha256 } });
    // A token without evidence:read is refused.
    expect((await fleet.api('GET', `/api/v1/packets/${packet.id}`, undefined, 'release:read')).status).toBe(403);
  }, 60_000);

  it('stella verify passes offline with only the pinned CA and the log key', () => {
    const out = cli('verify', prod.file, '--ca', ca, '--log-key', fleet.logKey);
    expect(out.stdout).not.toContain('FAIL');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('pass  inclusion proof log/inclusion-proof.json');
    expect(out.stdout).toMatch(/verified: decision-packet/);
  });

  it('stella verify fails on tampered copies, naming the file', async () => {
    const files = await readArchive(prod.bytes);
    for (const path of [PacketPaths.record, PacketPaths.envelope, PacketPaths.inputs, PacketPaths.checkpoint, PacketPaths.releaseManifest, PacketPaths.manifest]) {
      const copy = new Map(files);
      const data = Buffer.from(copy.get(path)!);
      const at = Math.floor(data.length / 3);
      data[at] = data[at]! ^ 0x20;
      copy.set(path, data);
      const file = join(dir, 'tampered.tar');
      writeFileSync(file, await writeDeterministicTar([...copy].map(([p, d]) => ({ path: p, data: d }))));
      const out = cli('verify', file, '--ca', ca, '--log-key', fleet.logKey);
      expect({ path, status: out.status }).toEqual({ path, status: 1 });
      expect(out.stdout).toMatch(new RegExp(`FAIL  .*${path.replace('.', '\\.')}`));
    }
    const cut = join(dir, 'cut.tar');
    writeFileSync(cut, prod.bytes.subarray(0, prod.bytes.length - 2048));
    expect(cli('verify', cut, '--ca', ca, '--log-key', fleet.logKey).status).toBe(2);
  });

  it('stella replay reproduces the decision byte for byte', () => {
    const out = cli('replay', prod.file);
    expect(out.stdout.trim()).toBe(`reproduced ${prod.decisionId}`);
    expect(out.status).toBe(0);
  });

  it('bundles an environment and time range into a signed audit pack that verifies, stored once', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const created = await fleet.api('POST', '/api/v1/audit-packs', { environment: 'prod', from, to });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ environment: 'prod', decisions: 1 });
    const again = await fleet.api('POST', '/api/v1/audit-packs', { environment: 'prod', from, to });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const content = await fleet.api('GET', `/api/v1/audit-packs/${created.body.id}/content`);
    expect(content.status).toBe(200);
    const file = join(dir, 'audit.tar');
    writeFileSync(file, content.bytes);
    const out = cli('verify', file, '--ca', ca, '--log-key', fleet.logKey);
    expect(out.stdout).not.toContain('FAIL');
    expect(out.stdout).toMatch(/verified: audit-pack/);
    expect((await fleet.api('POST', '/api/v1/audit-packs', { environment: 'prod', from, to }, 'evidence:read')).status).toBe(403);
    const empty = await fleet.api('POST', '/api/v1/audit-packs', { environment: 'dev', from: '2001-01-01T00:00:00Z', to: '2001-01-02T00:00:00Z' });
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ code: 'NO_DECISIONS' });
    const bad = await fleet.api('POST', '/api/v1/audit-packs', { environment: 'prod', from: to, to: from });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('keeps each packet for its retention class and the sweeper deletes expired ones', async () => {
    const published = await publishDecision(fleet.bus, 'dev', '1.4.3');
    const packet = await waitForPacket(published.decisionId);
    expect(packet.retentionClass).toBe('standard');
    dev = { decisionId: published.decisionId, packetId: packet.id };
    const sweeper = fleet.exporter.app.get(RetentionSweeper);
    expect(await sweeper.sweep()).toBe(0);
    fleet.clock.offsetMs = 400 * 24 * 3_600_000; // past standard (365 d), within regulated (7 y)
    expect(await sweeper.sweep()).toBe(1);
    expect((await fleet.api('GET', `/api/v1/packets/${dev.packetId}`)).status).toBe(404);
    expect((await fleet.api('GET', `/api/v1/packets/${prod.packetId}`)).status).toBe(200);
    fleet.clock.offsetMs = 3000 * 24 * 3_600_000; // past regulated too (and the audit pack)
    expect(await sweeper.sweep()).toBe(2);
    expect((await fleet.api('GET', `/api/v1/packets/${prod.packetId}/content`)).status).toBe(404);
    fleet.clock.offsetMs = 0;
  }, 60_000);

  it("builds packets for every tenant, never listing one tenant's attestations in another's packet", async () => {
    const published = await publishDecision(fleet.bus, 'dev', '7.0.0', 'globex');
    const deadline = Date.now() + 45_000;
    let packets: Array<{ id: string }> = [];
    while (packets.length === 0 && Date.now() < deadline) {
      packets = (await fleet.api('GET', `/api/v1/packets?decision=${published.decisionId}`, undefined, undefined, 'globex')).body.packets;
      if (packets.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(packets).toHaveLength(1);
    expect((await fleet.api('GET', `/api/v1/packets/${packets[0]!.id}`)).status).toBe(404); // acme does not see it
    const content = await fleet.api('GET', `/api/v1/packets/${packets[0]!.id}/content`, undefined, undefined, 'globex');
    const file = join(dir, 'globex.tar');
    writeFileSync(file, content.bytes);
    expect(cli('verify', file, '--ca', ca, '--log-key', fleet.logKey).status).toBe(0);
    expect((await readArchive(content.bytes)).get(PacketPaths.attestations)!.toString('utf8')).toBe('[]');
  }, 60_000);

  it('keeps the record canonical: the packet holds the same record the orchestrator published', async () => {
    const files = await readArchive(prod.bytes);
    const record = JSON.parse(files.get(PacketPaths.record)!.toString('utf8')) as Record<string, unknown>;
    expect(canonicalize(record)).toBe(files.get(PacketPaths.record)!.toString('utf8'));
    expect(record.decisionId).toBe(prod.decisionId);
  });
});

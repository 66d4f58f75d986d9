import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from '@stella/canonical';
import { PacketPaths, readArchive, writeDeterministicTar } from '@stella/evidence';
import { createPacketFixture, type PacketFixture } from '@stella/evidence/src/testing/packet-fixture';
import { runReplay } from './replay.command';
import { readLogKey, runVerify } from './verify.command';

describe('stella verify / stella replay', () => {
  let fx: PacketFixture;
  let dir: string;
  let packet: string;
  let ca: string;
  let logKey: string;

  beforeAll(async () => {
    fx = await createPacketFixture({ logSize: 100 });
    dir = mkdtempSync(join(tmpdir(), 'stella-verify-'));
    packet = join(dir, 'packet.tar');
    ca = join(dir, 'ca.pem');
    logKey = join(dir, 'log-key.json');
    writeFileSync(packet, fx.packet.archive);
    writeFileSync(ca, fx.pki.caPem);
    writeFileSync(logKey, JSON.stringify({ origin: fx.logOrigin, vkey: fx.logKey }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function tampered(name: string, change: (files: Map<string, Buffer>) => void): Promise<string> {
    const files = await readArchive(fx.packet.archive);
    change(files);
    const path = join(dir, name);
    writeFileSync(path, await writeDeterministicTar([...files].map(([p, data]) => ({ path: p, data }))));
    return path;
  }

  it('passes an untouched packet with one line per check, exit 0', async () => {
    const outcome = await runVerify({ packet, ca, logKey, maxBytes: 1 << 26 });
    expect(outcome.exitCode).toBe(0);
    const lines = outcome.text.trim().split('\n');
    expect(lines.slice(0, -1).every((l) => l.startsWith('pass  '))).toBe(true);
    expect(lines.at(-1)).toMatch(/^verified: decision-packet/);
    expect(await readLogKey(fx.logKey)).toBe(fx.logKey);
  });

  it('fails a packet whose release manifest changed, naming the file, exit 1', async () => {
    const path = await tampered('release.tar', (f) => f.set(PacketPaths.releaseManifest, Buffer.from(canonicalize({ schema: 'x', name: 'shop', version: '9.9.9', components: [] }))));
    const outcome = await runVerify({ packet: path, ca, logKey, maxBytes: 1 << 26 });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.text).toContain(`FAIL  sha256 ${PacketPaths.releaseManifest}`);
    expect(outcome.text).toContain(`FAIL  release manifest digest ${PacketPaths.releaseManifest}`);
    expect(outcome.text).toMatch(/NOT verified: \d+ of \d+ checks failed/);
  });

  it('refuses a truncated or oversized packet with exit 2', async () => {
    const cut = join(dir, 'cut.tar');
    writeFileSync(cut, fx.packet.archive.subarray(0, 2048));
    expect(await runVerify({ packet: cut, ca, logKey, maxBytes: 1 << 26 })).toMatchObject({ exitCode: 2, text: expect.stringContaining('truncated') });
    expect(await runVerify({ packet, ca, logKey, maxBytes: 4096 })).toMatchObject({ exitCode: 2 });
  });

  it('replay prints reproduced, or the differing field paths with exit 1', async () => {
    expect(await runReplay({ packet })).toEqual({ exitCode: 0, text: `reproduced ${fx.input.record.decisionId}\n` });
    const path = await tampered('inputs.tar', (f) => {
      const inputs = JSON.parse(f.get(PacketPaths.inputs)!.toString('utf8')) as { evaluatedAt: string };
      inputs.evaluatedAt = '2031-01-01T00:00:00.000Z';
      f.set(PacketPaths.inputs, Buffer.from(canonicalize(inputs)));
    });
    const outcome = await runReplay({ packet: path });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.text).toContain('not reproduced');
    expect(outcome.text).toContain('  evaluatedAt: recorded');
    expect(outcome.text).toContain('  decisionId: recorded');
  });
});

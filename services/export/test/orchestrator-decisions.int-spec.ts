import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pushTestImage } from '@stella/testing';
import { startEvidenceFleet, type EvidenceFleet } from './export-harness';

const STELLA = resolve(__dirname, '../../cli/bin/stella.js');

// Done means, from the real orchestrator: a release is promoted through the orchestrator's own
// gates; its allow and its deny each become a signed, logged, verifiable, replayable packet.
describe('export: decisions from the real orchestrator become evidence packets', () => {
  let fleet: EvidenceFleet;
  let dir: string;

  beforeAll(async () => {
    fleet = await startEvidenceFleet({ orchestrator: true });
    dir = mkdtempSync(join(tmpdir(), 'stella-export-orch-'));
    writeFileSync(join(dir, 'ca.pem'), fleet.caPem);
  }, 90_000);
  afterAll(async () => {
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function packetOf(decisionId: string): Promise<Buffer> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const list = await fleet.api('GET', `/api/v1/packets?decision=${decisionId}`);
      if (list.body.packets?.length === 1) return (await fleet.api('GET', `/api/v1/packets/${list.body.packets[0].id}/content`)).bytes;
      if (Date.now() > deadline) throw new Error(`no packet for ${decisionId}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  function stella(...args: string[]) {
    const run = spawnSync(process.execPath, [STELLA, ...args], { encoding: 'utf8' });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  }

  it('allow (dev) and deny (prod, skipping stage): each a packet that verifies offline and replays', async () => {
    const orchestrator = fleet.orchestrator!;
    await pushTestImage(orchestrator.registry, { repo: 'acme/api', tag: '2.0.0', files: { 'app.txt': 'v2' } });
    const release = await orchestrator.api('POST', '/api/v1/releases', {
      name: 'shop',
      version: '2.0.0',
      components: [{ name: 'api', repository: `${orchestrator.registry.host}/acme/api`, tag: '2.0.0' }],
    });
    expect(release.status).toBe(201);
    const dev = await orchestrator.api('POST', '/api/v1/promotions', { release: { id: release.body.id }, environment: 'dev' });
    expect(dev.status).toBeLessThan(300);
    const prod = await orchestrator.api('POST', '/api/v1/promotions', { release: { id: release.body.id }, environment: 'prod' });
    expect(prod.status).toBe(409);
    expect(prod.body).toMatchObject({ code: 'PROMOTION_SKIPS_ENVIRONMENT' });
    const decisions = [
      { id: (await orchestrator.api('GET', `/api/v1/promotions/${dev.body.id}`)).body.decisionId as string, verdict: 'allow' },
      { id: prod.body.decisionId as string, verdict: 'deny' },
    ];
    for (const decision of decisions) {
      expect(decision.id).toMatch(/^dec_[0-9a-f]{32}$/);
      const file = join(dir, `${decision.id}.tar`);
      writeFileSync(file, await packetOf(decision.id));
      const verified = stella('verify', file, '--ca', join(dir, 'ca.pem'), '--log-key', fleet.logKey);
      expect(verified.out).not.toContain('FAIL');
      expect(verified.status).toBe(0);
      const replayed = stella('replay', file);
      expect(replayed.out.trim()).toBe(`reproduced ${decision.id}`);
      const meta = await fleet.api('GET', `/api/v1/packets?decision=${decision.id}`);
      expect(meta.body.packets[0]).toMatchObject({ verdict: decision.verdict, releaseManifestDigest: release.body.id });
    }
  }, 120_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';

const {
  runGoldenPath,
  writeAdvisoryFiles,
  vexIssuerRegistration,
  loadOrCreateVexIssuer,
  goldenPathSteps,
  Waiting,
  LATE_ADVISORY,
} = require('./golden-path');

describe('golden path runner', () => {
  it('runs steps in order, skips what needs a failed step, lets "?" needs through a waiting one', async () => {
    const lines: string[] = [];
    const outcome = await runGoldenPath(
      {},
      {
        say: (line: string) => lines.push(line),
        steps: [
          { id: 'a', title: 'a', run: async () => 'fine' },
          {
            id: 'b',
            title: 'b',
            run: async () => {
              throw new Waiting('services/x', 'not landed');
            },
          },
          { id: 'c', title: 'c', needs: ['b?'], run: async () => 'ran although b waits' },
          { id: 'd', title: 'd', needs: ['b'], run: async () => 'never' },
          {
            id: 'e',
            title: 'e',
            run: async () => {
              throw new Error('boom');
            },
          },
          { id: 'f', title: 'f', needs: ['e?'], run: async () => 'never' },
        ],
      },
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.results.map((r: { id: string; status: string }) => `${r.id}:${r.status}`)).toEqual([
      'a:ok',
      'b:waiting',
      'c:ok',
      'd:skipped',
      'e:failed',
      'f:skipped',
    ]);
    expect(lines[1]).toContain('waiting for services/x: not landed');
    expect(lines[3]).toContain('skipped: needs b');
  });

  it('has unique step ids whose needs name earlier steps', () => {
    const steps: Array<{ id: string; needs?: string[] }> = goldenPathSteps();
    const seen = new Set<string>();
    for (const step of steps) {
      for (const need of step.needs ?? []) expect(seen.has(need.replace(/\?$/, ''))).toBe(true);
      expect(seen.has(step.id)).toBe(false);
      seen.add(step.id);
    }
  });

  it('holds back exactly the late advisory from the first npm import', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-advisories-'));
    try {
      const files = writeAdvisoryFiles(dir);
      const ids = (file: string) =>
        readFileSync(join(dir, file), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).id as string);
      expect(ids(files.late)).toEqual([LATE_ADVISORY.id]);
      const initial = ids(files.initial[0]);
      expect(initial).not.toContain(LATE_ADVISORY.id);
      expect(initial.length).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('registers the demo issuer for signed documents only (PUT /api/v1/issuers/:id body)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-issuer-'));
    try {
      const issuer = loadOrCreateVexIssuer(join(dir, 'k.pem'));
      expect(loadOrCreateVexIssuer(join(dir, 'k.pem')).publicKeyPem).toBe(issuer.publicKeyPem);
      expect(issuer.id).toBe('stella-demo-security');
      const body = vexIssuerRegistration(issuer);
      expect(createPublicKey(body.publicKeys[0].publicKeyPem).asymmetricKeyType).toBe('ed25519');
      expect(body).toEqual({
        authors: ['Stella Demo Security Team'],
        trust: 90,
        requireSignature: true,
        publicKeys: [{ keyId: 'stella-demo-security', publicKeyPem: issuer.publicKeyPem }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

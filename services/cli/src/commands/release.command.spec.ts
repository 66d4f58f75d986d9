import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main';
import { CredentialsStore } from '../session/credentials-store';
import { parseComponent, parseReleaseRef } from './release.command';

describe('release commands: argument parsing', () => {
  it('reads name@version', () => {
    expect(parseReleaseRef('shop@1.2.0')).toEqual({ name: 'shop', version: '1.2.0' });
    expect(parseReleaseRef('shop@1.2.0-rc.1+b5')).toEqual({ name: 'shop', version: '1.2.0-rc.1+b5' });
    expect(() => parseReleaseRef('shop')).toThrow('expected <name>@<version>');
    expect(() => parseReleaseRef('shop@')).toThrow('expected <name>@<version>');
  });

  it('reads components by tag, by digest, with a registry port, or for an existing component', () => {
    expect(parseComponent('api=127.0.0.1:5000/shop/api:1.4.2')).toEqual({ name: 'api', repository: '127.0.0.1:5000/shop/api', tag: '1.4.2' });
    expect(parseComponent(`web=127.0.0.1:5000/shop/web@sha256:${'a'.repeat(64)}`)).toEqual({
      name: 'web',
      repository: '127.0.0.1:5000/shop/web',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(parseComponent('api=:1.5.0')).toEqual({ name: 'api', tag: '1.5.0' });
    expect(() => parseComponent('api=127.0.0.1:5000/shop/api')).toThrow('give a tag or a digest');
    expect(() => parseComponent('127.0.0.1:5000/shop/api:1.0')).toThrow('expected --component <name>=');
  });
});

// The orchestrator side is a local HTTP server standing in for it (the edge of the CLI): these
// check what the commands send and how they show answers and refusals.
describe('release commands against an HTTP orchestrator', () => {
  let home: string;
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: unknown }> = [];
  let reply: { status: number; body: unknown } = { status: 200, body: {} };
  const env = { ...process.env };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'stella-cli-release-'));
    process.env.STELLA_HOME = home;
    await new CredentialsStore(home).save({
      authorityUrl: 'http://127.0.0.1:1',
      accessToken: 'token-of-alice',
      tokenType: 'Bearer',
      scope: 'release:promote',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      grant: 'client_credentials',
      principal: 'alice',
    });
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
        res.statusCode = reply.status;
        res.setHeader('content-type', reply.status >= 400 ? 'application/problem+json' : 'application/json');
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    process.env = env;
    server.close();
    await rm(home, { recursive: true, force: true });
  });

  afterEach(() => {
    process.exitCode = undefined;
    seen.length = 0;
  });

  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    try {
      const code = await main(['node', 'stella', ...args, '--orchestrator', url]);
      return { code, out: out.join(''), err: err.join('') };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  };

  it('promote: sends the release and environment with the cached token and an Idempotency-Key', async () => {
    reply = {
      status: 201,
      body: {
        id: 'p-1',
        state: 'awaiting_approval',
        release: { name: 'shop', version: '1.0.0' },
        environment: 'prod',
        approvals: [],
        lastEvaluation: { verdict: 'pending', gates: [{ name: 'approvals', result: 'pending', reasons: ['0 of 2 approvals'] }] },
      },
    };
    const { code, out } = await run('promote', 'shop@1.0.0', '--to', 'prod', '--comment', 'ship it');
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/api/v1/promotions', body: { release: { name: 'shop', version: '1.0.0' }, environment: 'prod', comment: 'ship it' } });
    expect(seen[0]!.headers.authorization).toBe('Bearer token-of-alice');
    expect(seen[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(out).toContain('promotion p-1: shop@1.0.0 -> prod: awaiting_approval');
    expect(out).toContain('gate approvals: pending (0 of 2 approvals)');
  });

  it('approve: a refusal exits 1 with its code, detail and rule', async () => {
    reply = {
      status: 403,
      body: { code: 'SEPARATION_OF_DUTIES', detail: 'separation of duties: alice requested this promotion and may not approve it', rule: 'separation-of-duties' },
    };
    const { code, err } = await run('approve', 'p-1', '--idempotency-key', 'k-1');
    expect(code).toBe(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/api/v1/promotions/p-1/approvals', body: {} });
    expect(seen[0]!.headers['idempotency-key']).toBe('k-1');
    expect(err).toContain('refused (403 SEPARATION_OF_DUTIES): separation of duties: alice requested');
    expect(err).toContain('rule: separation-of-duties');
  });

  it('release create: sends components parsed from --component', async () => {
    reply = { status: 201, body: { id: 'sha256:r', name: 'shop', version: '1.0.0', components: [{ name: 'api', repository: 'r/api', digest: 'sha256:d' }] } };
    const { code, out } = await run('release', 'create', 'shop@1.0.0', '--component', 'api=r/api:1.0.0');
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({ path: '/api/v1/releases', body: { name: 'shop', version: '1.0.0', components: [{ name: 'api', repository: 'r/api', tag: '1.0.0' }] } });
    expect(out).toContain('release shop@1.0.0 sha256:r');
  });

  it('audit verify: exit 2 and the first broken entry when the chain is broken', async () => {
    reply = { status: 200, body: { valid: false, tenant: 'default', entriesChecked: 7, headSeq: 6, headHash: 'sha256:h', firstBroken: { seq: 7, reason: 'content-digest-mismatch' } } };
    const { code, out } = await run('audit', 'verify');
    expect(code).toBe(2);
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/api/v1/audit/verify' });
    expect(out).toContain('BROKEN at entry 7 (content-digest-mismatch)');
  });

  it('inventory: one line per environment of the path', async () => {
    reply = {
      status: 200,
      body: {
        at: null,
        environments: [
          { name: 'dev', running: { environment: 'dev', release: { name: 'shop', version: '1.0.0' }, deployedAt: '2026-01-01T00:00:00.000Z', components: [{ name: 'api', digest: `sha256:${'b'.repeat(64)}` }] } },
          { name: 'prod' },
        ],
      },
    };
    const { code, out } = await run('inventory', '--at', '2026-01-02T00:00:00Z');
    expect(code).toBe(0);
    expect(seen[0]!.path).toBe('/api/v1/inventory?at=2026-01-02T00%3A00%3A00Z');
    expect(out).toContain('dev      shop@1.0.0  since 2026-01-01T00:00:00.000Z  api=sha256:bbbbbbbbbbbb…');
    expect(out).toContain('prod     (nothing)');
  });
});

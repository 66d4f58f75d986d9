import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const common = require('./fleet-common') as {
  discoverServices(root?: string): Array<{ name: string; port: number; order: number; stella: unknown }>;
  freePort(): Promise<number>;
  ready(baseUrl: string, timeoutMs?: number): Promise<boolean>;
  tail(file: string, lines?: number): string;
};

describe('scripts/lib/fleet-common', () => {
  it('discovers the services with a "stella" block in start order', () => {
    const services = common.discoverServices();
    expect(services[0]?.name).toBe('authority');
    const orders = services.map((s) => s.order);
    expect([...orders].sort((a, b) => a - b)).toEqual(orders);
    for (const s of services) expect(Number.isInteger(s.port)).toBe(true);
  });

  it('finds a free port and tells readiness from a 200 on /health/readiness', async () => {
    const port = await common.freePort();
    expect(port).toBeGreaterThan(0);
    expect(await common.ready(`http://127.0.0.1:${port}`, 500)).toBe(false);
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/health/readiness' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      expect(await common.ready(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).toBe(true);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('tails a log file and answers empty for a missing one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fleet-common-')), 'x.log');
    writeFileSync(file, 'a\nb\nc\n');
    expect(common.tail(file, 2)).toBe('b\nc');
    expect(common.tail(`${file}.missing`)).toBe('');
  });
});

import { Body, Controller, Get, Injectable, Module, OnModuleInit, Post } from '@nestjs/common';
import { z } from 'zod';
import pino from 'pino';
import { baseServiceConfigSchema, type BaseServiceConfig } from '@stella/config';
import {
  createServiceApp,
  Lifecycle,
  ProblemError,
  ReadinessRegistry,
  ServiceApp,
  ZodValidationPipe,
} from '@stella/platform';

const CreateWidget = z.strictObject({ name: z.string().min(1).max(20), size: z.number().int().positive() });

@Injectable()
class DependencyState implements OnModuleInit {
  healthy = true;
  shutdownCalls: string[] = [];
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly lifecycle: Lifecycle,
  ) {}
  onModuleInit(): void {
    this.readiness.register('fake-db', async () => {
      if (!this.healthy) throw new Error('connection refused');
    });
    this.readiness.register('slow-dep', () => new Promise((resolve) => setTimeout(resolve, 5)), 1000);
    this.lifecycle.onShutdown('first', async () => void this.shutdownCalls.push('first'));
    this.lifecycle.onShutdown('second', async () => void this.shutdownCalls.push('second'));
  }
}

@Controller('widgets')
class WidgetController {
  @Post()
  create(@Body(new ZodValidationPipe(CreateWidget)) body: z.infer<typeof CreateWidget>) {
    return { id: 'w1', ...body };
  }
  @Get('conflict')
  conflict(): never {
    throw new ProblemError(409, {
      type: 'widget-exists',
      title: 'Widget exists',
      detail: 'w1 exists',
      widgetId: 'w1',
    });
  }
  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail');
  }
}

@Module({ controllers: [WidgetController], providers: [DependencyState] })
class WidgetModule {}

function testConfig(): BaseServiceConfig {
  return baseServiceConfigSchema.parse({
    httpPort: 0,
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    bodyLimitBytes: 1024,
  });
}

describe('createServiceApp (platform contract every service inherits)', () => {
  let svc: ServiceApp;
  let base: string;

  beforeAll(async () => {
    svc = await createServiceApp({
      service: 'widgets',
      module: WidgetModule,
      config: testConfig(),
      logger: pino({ level: 'silent' }),
      buildInfo: { version: '1.2.3', gitCommit: 'abc', buildDate: '2026-01-01T00:00:00.000Z' },
    });
    base = await svc.listen();
  });
  afterAll(async () => {
    await svc.close();
  });

  it('answers liveness, version and metrics', async () => {
    const live = await fetch(`${base}/health/liveness`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'alive' });
    expect(await (await fetch(`${base}/version`)).json()).toEqual({
      version: '1.2.3',
      gitCommit: 'abc',
      buildDate: '2026-01-01T00:00:00.000Z',
    });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('http_request_duration_seconds');
  });

  it('reports readiness per dependency and turns 503 when one is down', async () => {
    const ready = await fetch(`${base}/health/readiness`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: Array<{ name: string; status: string }> };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => c.name)).toEqual(['fake-db', 'slow-dep']);

    const deps = svc.app.get(DependencyState);
    deps.healthy = false;
    const down = await fetch(`${base}/health/readiness`);
    expect(down.status).toBe(503);
    const downBody = (await down.json()) as {
      checks: Array<{ name: string; status: string; error?: string }>;
    };
    expect(downBody.checks.find((c) => c.name === 'fake-db')).toMatchObject({
      status: 'down',
      error: 'connection refused',
    });
    deps.healthy = true;
  });

  it('validates bodies and names every offending field (400 problem+json)', async () => {
    const res = await fetch(`${base}/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', size: -1, extra: true }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { type: string; errors: Array<{ path: string }> };
    expect(problem.type).toBe('urn:stella:problem:validation-failed');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['extra', 'name', 'size']);
  });

  it('accepts a valid body', async () => {
    const res = await fetch(`${base}/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bolt', size: 3 }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 'w1', name: 'bolt', size: 3 });
  });

  it('refuses malformed JSON (400) and oversized bodies (413) as problem+json', async () => {
    const malformed = await fetch(`${base}/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { type: string }).type).toBe('urn:stella:problem:malformed-body');

    const big = await fetch(`${base}/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(5000), size: 1 }),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/problem+json');
    expect(((await big.json()) as { limitBytes: number }).limitBytes).toBe(1024);
  });

  it('renders thrown problems, unknown routes and internal errors without leaking internals', async () => {
    const conflict = await fetch(`${base}/widgets/conflict`);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      type: 'urn:stella:problem:widget-exists',
      status: 409,
      widgetId: 'w1',
      instance: '/widgets/conflict',
    });

    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { type: string }).type).toBe('urn:stella:problem:not-found');

    const boom = await fetch(`${base}/widgets/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(text).not.toContain('secret internal detail');
    expect(JSON.parse(text)).toMatchObject({ type: 'urn:stella:problem:internal-error', status: 500 });
  });
});

describe('graceful close', () => {
  it('turns not-ready, then runs shutdown hooks in reverse order', async () => {
    const svc = await createServiceApp({
      service: 'widgets',
      module: WidgetModule,
      config: testConfig(),
      logger: pino({ level: 'silent' }),
    });
    const base = await svc.listen();
    const deps = svc.app.get(DependencyState);
    const lifecycle = svc.app.get(Lifecycle);
    lifecycle.beginDrain();
    const draining = await fetch(`${base}/health/readiness`, { headers: { connection: 'close' } });
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining', checks: [] });
    await svc.close();
    expect(deps.shutdownCalls).toEqual(['second', 'first']);
  });
});

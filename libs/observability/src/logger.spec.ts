import { Writable } from 'node:stream';
import { createLogger, REDACTED_FIELDS, redactionPaths } from './logger';
import { extractTraceContext, withContext } from './trace-context';

class MemoryDestination extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0),
    );
    done();
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

function secretsFor(prefix: string): Record<string, string> {
  return Object.fromEntries(REDACTED_FIELDS.map((field) => [field, `${prefix}-${field}-VALUE`]));
}

describe('createLogger', () => {
  it('writes JSON with the service, an ISO time and the level as a label', () => {
    const destination = new MemoryDestination();
    const logger = createLogger({ service: 'orchestrator', level: 'info', destination });
    logger.info({ releaseId: 'r1' }, 'promotion requested');
    logger.debug('not written at info');

    const [record] = destination.records();
    expect(destination.lines).toHaveLength(1);
    expect(record).toMatchObject({
      level: 'info',
      service: 'orchestrator',
      releaseId: 'r1',
      msg: 'promotion requested',
    });
    expect(new Date(record?.['time'] as string).toISOString()).toBe(record?.['time']);
    expect(record).not.toHaveProperty('pid');
    expect(record).not.toHaveProperty('hostname');
  });

  it('never prints secret values at the top level, one and two levels deep, or in request headers', () => {
    const destination = new MemoryDestination();
    const logger = createLogger({ service: 'authority', level: 'trace', destination });
    logger.info({
      ...secretsFor('top'),
      client: secretsFor('one'),
      outer: { inner: secretsFor('two') },
      req: {
        method: 'POST',
        headers: {
          authorization: 'Bearer HEADER-TOKEN',
          cookie: 'sid=HEADER-COOKIE',
          'x-request-id': 'keep-me',
        },
      },
      res: { headers: { 'set-cookie': ['sid=SET-COOKIE-VALUE'] } },
      ctx: { req: { headers: { authorization: 'Bearer DEEP-HEADER-TOKEN' } } },
    });
    logger.child({ token: 'CHILD-BINDING-TOKEN' }).warn({ err: { password: 'ERR-PASSWORD' } }, 'child');

    const output = destination.lines.join('\n');
    for (const secret of [
      'VALUE',
      'HEADER-TOKEN',
      'HEADER-COOKIE',
      'SET-COOKIE',
      'DEEP-HEADER-TOKEN',
      'CHILD-BINDING-TOKEN',
      'ERR-PASSWORD',
    ]) {
      expect(output).not.toContain(secret);
    }
    const [first] = destination.records();
    expect(first).toMatchObject({
      password: '[REDACTED]',
      client: { client_secret: '[REDACTED]', privateKey: '[REDACTED]' },
      outer: { inner: { refresh_token: '[REDACTED]', 'set-cookie': '[REDACTED]' } },
      req: {
        method: 'POST',
        headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'x-request-id': 'keep-me' },
      },
    });
  });

  it('adds trace_id and span_id when a trace context is active', () => {
    const destination = new MemoryDestination();
    const logger = createLogger({ service: 'scanner', level: 'info', destination });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ctx = extractTraceContext((name) => (name === 'traceparent' ? traceparent : undefined));
    withContext(ctx, () => logger.info('inside'));
    logger.info('outside');

    const [inside, outside] = destination.records();
    expect(inside).toMatchObject({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
    });
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('rejects invalid options', () => {
    expect(() => createLogger({ service: '', level: 'info' })).toThrow();
    expect(() => createLogger({ service: 's', level: 'loud' as 'info' })).toThrow();
  });

  it('quotes header-style field names in redaction paths', () => {
    expect(redactionPaths(['set-cookie'])).toEqual([
      '["set-cookie"]',
      '*["set-cookie"]',
      '*.*["set-cookie"]',
      '*.*.headers["set-cookie"]',
    ]);
    expect(redactionPaths(['token'])).toEqual(['token', '*.token', '*.*.token', '*.*.headers.token']);
  });
});

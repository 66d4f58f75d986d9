import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { baseServiceConfigSchema } from './base-service-config';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const minimalEnv = { STELLA_HTTP_PORT: '8080', STELLA_DATABASE_URL: 'postgres://app@127.0.0.1:5432/stella' };

let dir: string;
let fileCounter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stella-config-spec-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeTemp(content: string): string {
  fileCounter += 1;
  const path = join(dir, `file-${fileCounter}`);
  writeFileSync(path, content);
  return path;
}

/** A config directory with no `<service>.yaml`, so the machine's /etc/stella never leaks into tests. */
function emptyConfigDir(): string {
  return join(dir, 'no-such-dir');
}

function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig with the base service schema', () => {
  it('applies schema defaults and coerces numbers from the environment', () => {
    const config = loadConfig({
      service: 'orchestrator',
      schema: baseServiceConfigSchema,
      env: minimalEnv,
      configDir: emptyConfigDir(),
    });
    expect(config).toEqual({
      httpHost: '127.0.0.1',
      httpPort: 8080,
      databaseUrl: 'postgres://app@127.0.0.1:5432/stella',
      databasePoolSize: 10,
      natsUrl: 'nats://127.0.0.1:4222',
      natsPrefix: 'stella',
      logLevel: 'info',
      shutdownTimeoutMs: 10000,
      bodyLimitBytes: 1048576,
      tokenAudience: 'stella',
    });
  });

  it('reports every problem in one message, naming the environment variables', () => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'orchestrator',
        schema: baseServiceConfigSchema,
        env: { STELLA_HTTP_PORT: 'abc', STELLA_LOG_LEVEL: 'loud', STELLA_NATS_PREFIX: 'Bad-Prefix' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration for orchestrator:',
        '  STELLA_HTTP_PORT: expected an integer between 0 and 65535, got "abc"',
        '  STELLA_DATABASE_URL: required',
        '  STELLA_NATS_PREFIX: expected a prefix matching ^[a-z][a-z0-9_]{0,30}$, got "Bad-Prefix"',
        '  STELLA_LOG_LEVEL: expected one of fatal|error|warn|info|debug|trace, got "loud"',
      ].join('\n'),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.service).toBe('orchestrator');
    expect(error.problems.map((p) => [p.code, p.key])).toEqual([
      ['invalid_value', 'httpPort'],
      ['required', 'databaseUrl'],
      ['invalid_value', 'natsPrefix'],
      ['invalid_value', 'logLevel'],
    ]);
  });

  it('rejects out-of-range ports and non-postgres database URLs', () => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'orchestrator',
        schema: baseServiceConfigSchema,
        env: { STELLA_HTTP_PORT: '70000', STELLA_DATABASE_URL: 'mysql://db/x' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.problems.map((p) => p.message)).toEqual([
      'expected an integer between 0 and 65535, got "70000"',
      'expected a postgres:// URL, got "mysql://db/x"',
    ]);
  });

  it('never prints the password of a connection URL', () => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'orchestrator',
        schema: baseServiceConfigSchema,
        env: { STELLA_HTTP_PORT: '1', STELLA_DATABASE_URL: 'mysql://app:hunter2@db/x' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('mysql://app:***@db/x');
  });

  it('reads OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME through the alias table, below STELLA_ variables', () => {
    const viaAlias = loadConfig({
      service: 'orchestrator',
      schema: baseServiceConfigSchema,
      env: {
        ...minimalEnv,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SERVICE_NAME: 'orch-eu',
      },
      configDir: emptyConfigDir(),
    });
    expect(viaAlias.otelExporterOtlpEndpoint).toBe('http://collector:4318');
    expect(viaAlias.otelServiceName).toBe('orch-eu');

    const stellaWins = loadConfig({
      service: 'orchestrator',
      schema: baseServiceConfigSchema,
      env: {
        ...minimalEnv,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        STELLA_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://local:4318',
      },
      configDir: emptyConfigDir(),
    });
    expect(stellaWins.otelExporterOtlpEndpoint).toBe('http://local:4318');
  });

  it('names the alias when its value is invalid', () => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'orchestrator',
        schema: baseServiceConfigSchema,
        env: { ...minimalEnv, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.message).toContain(
      'STELLA_OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:// or https:// URL, got "collector:4318" (from OTEL_EXPORTER_OTLP_ENDPOINT)',
    );
  });
});

describe('a service schema extending the base schema', () => {
  const orchestratorConfigSchema = baseServiceConfigSchema.extend({
    databaseSchema: baseServiceConfigSchema.shape.databaseSchema.default('orchestrator'),
    promotionTimeoutMs: z.number().int().min(1000).default(600_000),
    signerToken: z.string().min(32),
  });

  it('loads its own keys with the same rules and defaults its database schema to the service name', () => {
    const config = loadConfig({
      service: 'orchestrator',
      schema: orchestratorConfigSchema,
      env: { ...minimalEnv, STELLA_SIGNER_TOKEN: 'x'.repeat(32), STELLA_PROMOTION_TIMEOUT_MS: '5000' },
      configDir: emptyConfigDir(),
    });
    const databaseSchema: string = config.databaseSchema;
    expect(databaseSchema).toBe('orchestrator');
    expect(config.promotionTimeoutMs).toBe(5000);
    expect(config.signerToken).toHaveLength(32);
  });

  it('reports its own keys together with the base keys', () => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'orchestrator',
        schema: orchestratorConfigSchema,
        env: { STELLA_SIGNER_TOKEN: 'too-short-token', STELLA_DATABASE_SCHEMA: 'Orchestrator' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration for orchestrator:',
        '  STELLA_HTTP_PORT: required',
        '  STELLA_DATABASE_URL: required',
        '  STELLA_DATABASE_SCHEMA: expected a Postgres identifier matching ^[a-z_][a-z0-9_]{0,62}$, got "Orchestrator"',
        '  STELLA_SIGNER_TOKEN: expected at least 32 characters, got (redacted)',
      ].join('\n'),
    );
  });
});

describe('loadConfig sources and precedence', () => {
  const schema = z.object({
    httpPort: z.number().int(),
    region: z.string().default('eu'),
    mode: z.string().optional(),
    clientSecret: z.string().min(1).optional(),
  });

  it('prefers env over _FILE over YAML over the default', () => {
    const yaml = writeTemp('http_port: 1000\nregion: us\nmode: yaml\n');
    const secretFile = writeTemp('from-file\n');
    const config = loadConfig({
      service: 'svc',
      schema,
      configFile: yaml,
      env: { STELLA_HTTP_PORT: '2000', STELLA_MODE_FILE: secretFile },
    });
    expect(config).toEqual({ httpPort: 2000, region: 'us', mode: 'from-file' });

    expect(loadConfig({ service: 'svc', schema, configFile: yaml, env: {} })).toEqual({
      httpPort: 1000,
      region: 'us',
      mode: 'yaml',
    });
    expect(loadConfig({ service: 'svc', schema, configFile: writeTemp('http_port: 3\n'), env: {} })).toEqual({
      httpPort: 3,
      region: 'eu',
    });
  });

  it('treats an empty variable as not set so YAML values and defaults still apply', () => {
    const yaml = writeTemp('http_port: 1000\n');
    expect(
      loadConfig({
        service: 'svc',
        schema,
        configFile: yaml,
        env: { STELLA_HTTP_PORT: '', STELLA_REGION: '' },
      }),
    ).toEqual({
      httpPort: 1000,
      region: 'eu',
    });
  });

  it('reads a secret from STELLA_<KEY>_FILE and trims only the trailing newline', () => {
    const secretFile = writeTemp('  s3cr3t value \r\n');
    const config = loadConfig({
      service: 'svc',
      schema,
      env: { STELLA_HTTP_PORT: '1', STELLA_CLIENT_SECRET_FILE: secretFile },
      configDir: emptyConfigDir(),
    });
    expect(config.clientSecret).toBe('  s3cr3t value ');
  });

  it('refuses both STELLA_X and STELLA_X_FILE', () => {
    const secretFile = writeTemp('a');
    const error = configErrorOf(() =>
      loadConfig({
        service: 'svc',
        schema,
        env: { STELLA_HTTP_PORT: '1', STELLA_CLIENT_SECRET: 'b', STELLA_CLIENT_SECRET_FILE: secretFile },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.problems).toEqual([
      {
        code: 'conflicting_sources',
        key: 'clientSecret',
        envVar: 'STELLA_CLIENT_SECRET',
        message: 'set either STELLA_CLIENT_SECRET or STELLA_CLIENT_SECRET_FILE, not both',
      },
    ]);
  });

  it('names the key and path of an unreadable _FILE, and only that problem for the key', () => {
    const missing = join(dir, 'does-not-exist');
    const error = configErrorOf(() =>
      loadConfig({
        service: 'svc',
        schema: schema.extend({ apiToken: z.string() }),
        env: { STELLA_HTTP_PORT: '1', STELLA_API_TOKEN_FILE: missing },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.problems).toEqual([
      {
        code: 'unreadable_file',
        key: 'apiToken',
        envVar: 'STELLA_API_TOKEN',
        message: `cannot read STELLA_API_TOKEN_FILE=${missing} (ENOENT)`,
      },
    ]);
  });

  it('redacts values of secret-named keys and of values read from files', () => {
    const fileValue = writeTemp('not-a-number-but-secret\n');
    const error = configErrorOf(() =>
      loadConfig({
        service: 'svc',
        schema: schema.extend({ signingKey: z.string().min(64), dbPassword: z.string().max(3) }),
        env: {
          STELLA_HTTP_PORT_FILE: fileValue,
          STELLA_SIGNING_KEY: 'short-key-material',
          STELLA_DB_PASSWORD: 'hunter22',
        },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.message).not.toContain('not-a-number-but-secret');
    expect(error.message).not.toContain('short-key-material');
    expect(error.message).not.toContain('hunter22');
    expect(error.message).toContain(
      `STELLA_HTTP_PORT: expected an integer, got (redacted) (from STELLA_HTTP_PORT_FILE=${fileValue})`,
    );
    expect(error.message).toContain('STELLA_SIGNING_KEY: expected at least 64 characters, got (redacted)');
    expect(error.message).toContain('STELLA_DB_PASSWORD: expected at most 3 characters, got (redacted)');
  });
});

describe('loadConfig coercion', () => {
  const schema = z.object({
    enabled: z.boolean(),
    ratio: z.number(),
    hosts: z.array(z.string()).default([]),
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('reads boolean %s as %s', (raw, expected) => {
    expect(
      loadConfig({
        service: 'svc',
        schema,
        env: { STELLA_ENABLED: raw, STELLA_RATIO: '0.5' },
        configDir: emptyConfigDir(),
      }).enabled,
    ).toBe(expected);
  });

  it.each(['yes', 'TRUE', 'on', '2'])('rejects boolean %s', (raw) => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'svc',
        schema,
        env: { STELLA_ENABLED: raw, STELLA_RATIO: '1' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.message).toBe(
      `Invalid configuration for svc:\n  STELLA_ENABLED: expected a boolean (true, false, 1 or 0), got "${raw}"`,
    );
  });

  it('rejects numbers that are not plain decimals', () => {
    const error = configErrorOf(() =>
      loadConfig({
        service: 'svc',
        schema,
        env: { STELLA_ENABLED: '1', STELLA_RATIO: '1e3' },
        configDir: emptyConfigDir(),
      }),
    );
    expect(error.problems[0]?.message).toBe('expected a number, got "1e3"');
  });

  it('splits comma-separated lists', () => {
    const config = loadConfig({
      service: 'svc',
      schema,
      env: { STELLA_ENABLED: '1', STELLA_RATIO: '1', STELLA_HOSTS: 'a.example, b.example' },
      configDir: emptyConfigDir(),
    });
    expect(config.hosts).toEqual(['a.example', 'b.example']);
  });

  it('keeps YAML-typed values and coerces quoted YAML scalars', () => {
    const yaml = writeTemp('enabled: "true"\nratio: 2.5\nhosts: [x, y]\n');
    expect(loadConfig({ service: 'svc', schema, configFile: yaml, env: {} })).toEqual({
      enabled: true,
      ratio: 2.5,
      hosts: ['x', 'y'],
    });
  });
});

describe('loadConfig configuration file', () => {
  const schema = z.object({ httpPort: z.number().int(), databaseUrl: z.string() });

  it('uses <configDir>/<service>.yaml when it exists', () => {
    const configDir = mkdtempSync(join(dir, 'etc-'));
    writeFileSync(join(configDir, 'scanner.yaml'), 'http_port: 9000\ndatabase_url: postgres://db/x\n');
    expect(loadConfig({ service: 'scanner', schema, env: {}, configDir })).toEqual({
      httpPort: 9000,
      databaseUrl: 'postgres://db/x',
    });
  });

  it('lets STELLA_CONFIG_FILE override the default location and the configFile option', () => {
    const configDir = mkdtempSync(join(dir, 'etc-'));
    writeFileSync(join(configDir, 'scanner.yaml'), 'http_port: 1\ndatabase_url: a\n');
    const optionFile = writeTemp('http_port: 2\ndatabase_url: b\n');
    const envFile = writeTemp('http_port: 3\ndatabase_url: c\n');
    expect(
      loadConfig({
        service: 'scanner',
        schema,
        env: { STELLA_CONFIG_FILE: envFile },
        configFile: optionFile,
        configDir,
      }).httpPort,
    ).toBe(3);
    expect(
      loadConfig({ service: 'scanner', schema, env: {}, configFile: optionFile, configDir }).httpPort,
    ).toBe(2);
  });

  it('requires STELLA_CONFIG_FILE to exist, and does not report keys the file might have held', () => {
    const missing = join(dir, 'missing.yaml');
    const error = configErrorOf(() =>
      loadConfig({ service: 'scanner', schema, env: { STELLA_CONFIG_FILE: missing, STELLA_HTTP_PORT: 'x' } }),
    );
    expect(error.problems).toEqual([
      {
        code: 'unreadable_file',
        key: 'configFile',
        envVar: 'STELLA_CONFIG_FILE',
        message: `cannot read configuration file ${missing} (ENOENT)`,
      },
      {
        code: 'invalid_value',
        key: 'httpPort',
        envVar: 'STELLA_HTTP_PORT',
        message: 'expected an integer, got "x"',
      },
    ]);
  });

  it('reports an unreadable configuration file', () => {
    if (process.getuid?.() === 0) {
      // root reads mode-000 files anyway; a directory is unreadable as a file for everyone.
      const error = configErrorOf(() => loadConfig({ service: 'scanner', schema, env: {}, configFile: dir }));
      expect(error.problems[0]?.message).toBe(`cannot read configuration file ${dir} (EISDIR)`);
      return;
    }
    const locked = writeTemp('http_port: 1\n');
    chmodSync(locked, 0o000);
    const error = configErrorOf(() =>
      loadConfig({ service: 'scanner', schema, env: {}, configFile: locked }),
    );
    expect(error.problems[0]?.message).toBe(`cannot read configuration file ${locked} (EACCES)`);
  });

  it('rejects unknown YAML keys together with other problems', () => {
    const yaml = writeTemp('http_port: 9000\ndatabse_url: postgres://db/x\ndatabaseUrl: postgres://db/x\n');
    const error = configErrorOf(() => loadConfig({ service: 'scanner', schema, env: {}, configFile: yaml }));
    expect(error.message).toBe(
      [
        'Invalid configuration for scanner:',
        `  STELLA_DATABSE_URL: unknown key "databse_url" in ${yaml}`,
        `  STELLA_CONFIG_FILE: unknown key "databaseUrl" in ${yaml} (YAML keys are snake_case: did you mean database_url?)`,
        '  STELLA_DATABASE_URL: required',
      ].join('\n'),
    );
    expect(error.problems.map((p) => p.code)).toEqual(['unknown_key', 'unknown_key', 'required']);
  });

  it('reports invalid YAML by position without quoting its content', () => {
    const yaml = writeTemp('http_port: 1\nhttp_port: 2\ndatabase_url: "secret-in-url\n');
    const error = configErrorOf(() => loadConfig({ service: 'scanner', schema, env: {}, configFile: yaml }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.code).toBe('invalid_config_file');
    expect(error.problems[0]?.message).toMatch(
      new RegExp(`^invalid YAML in ${yaml}: DUPLICATE_KEY at line 2`),
    );
    expect(error.message).not.toContain('secret-in-url');
  });

  it('requires a mapping at the top of the file and accepts an empty file', () => {
    const error = configErrorOf(() =>
      loadConfig({ service: 'scanner', schema, env: {}, configFile: writeTemp('- a\n- b\n') }),
    );
    expect(error.problems[0]?.code).toBe('invalid_config_file');
    expect(
      loadConfig({
        service: 'scanner',
        schema,
        env: { STELLA_HTTP_PORT: '1', STELLA_DATABASE_URL: 'x' },
        configFile: writeTemp(''),
      }),
    ).toEqual({
      httpPort: 1,
      databaseUrl: 'x',
    });
  });

  it('treats a YAML key without a value as not set', () => {
    const yaml = writeTemp('http_port: 5\ndatabase_url:\n');
    const withDefault = schema.extend({ databaseUrl: z.string().default('postgres://default/x') });
    expect(
      loadConfig({ service: 'scanner', schema: withDefault, env: {}, configFile: yaml }).databaseUrl,
    ).toBe('postgres://default/x');
  });
});

describe('loadConfig programming errors', () => {
  it('rejects invalid options and non-camelCase schema keys with a TypeError', () => {
    expect(() => loadConfig({ service: '../etc/passwd', schema: z.object({}), env: {} })).toThrow(TypeError);
    expect(() =>
      loadConfig({ service: 'svc', schema: z.object({ http_port: z.number() }), env: {} }),
    ).toThrow(/not camelCase/);
    expect(() =>
      loadConfig({
        service: 'svc',
        schema: z.object({ tls: z.string(), tlsFile: z.string() }),
        env: {},
        configDir: emptyConfigDir(),
      }),
    ).toThrow(/map to the same variable/);
  });
});

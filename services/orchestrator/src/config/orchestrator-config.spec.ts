import { ConfigError } from '@stella/config';
import { loadOrchestratorConfig, schemaFor } from './orchestrator-config';

const base = { STELLA_HTTP_PORT: '7402', STELLA_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', STELLA_CONFIG_FILE: undefined };

describe('orchestrator configuration', () => {
  it('has working defaults (gRPC on 7502, intake off, schema orchestrator)', () => {
    const config = loadOrchestratorConfig({ ...base });
    expect(config).toMatchObject({
      orchestratorGrpcEnabled: true,
      orchestratorGrpcPort: 7502,
      orchestratorIntakeCredentials: {},
      orchestratorIdempotencyRetentionHours: 24,
      registryRetries: 3,
    });
    expect(schemaFor(config)).toBe('orchestrator');
  });

  it('reads intake credentials as JSON and never echoes them in errors', () => {
    const config = loadOrchestratorConfig({ ...base, STELLA_ORCHESTRATOR_INTAKE_CREDENTIALS: '{"acme":"0123456789abcdef0123456789"}' });
    expect(config.orchestratorIntakeCredentials).toEqual({ acme: '0123456789abcdef0123456789' });
    try {
      loadOrchestratorConfig({ ...base, STELLA_ORCHESTRATOR_INTAKE_CREDENTIALS: '{"acme":"short-secret-value"}' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('STELLA_ORCHESTRATOR_INTAKE_CREDENTIALS');
      expect((error as ConfigError).message).not.toContain('short-secret-value');
    }
  });

  it('wants the gRPC TLS certificate and key together', () => {
    expect(() => loadOrchestratorConfig({ ...base, STELLA_ORCHESTRATOR_GRPC_TLS_CERT: '-----BEGIN CERTIFICATE-----' })).toThrow(/together/);
  });
});

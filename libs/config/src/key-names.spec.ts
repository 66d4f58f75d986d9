import { envVarFor, fileEnvVarFor, standardAliasesFor, yamlKeyFor } from './key-names';

describe('key names', () => {
  it.each([
    ['databaseUrl', 'STELLA_DATABASE_URL', 'database_url'],
    ['httpPort', 'STELLA_HTTP_PORT', 'http_port'],
    ['otelExporterOtlpEndpoint', 'STELLA_OTEL_EXPORTER_OTLP_ENDPOINT', 'otel_exporter_otlp_endpoint'],
    ['s3Bucket', 'STELLA_S3_BUCKET', 's3_bucket'],
    ['logLevel', 'STELLA_LOG_LEVEL', 'log_level'],
    ['port', 'STELLA_PORT', 'port'],
  ])('maps %s to %s and %s', (key, envVar, yamlKey) => {
    expect(envVarFor(key)).toBe(envVar);
    expect(yamlKeyFor(key)).toBe(yamlKey);
  });

  it('appends _FILE for secret files', () => {
    expect(fileEnvVarFor('signerKeyPassword')).toBe('STELLA_SIGNER_KEY_PASSWORD_FILE');
  });

  it('rejects keys that are not camelCase', () => {
    expect(() => envVarFor('database_url')).toThrow(/not camelCase/);
    expect(() => envVarFor('DatabaseUrl')).toThrow(/not camelCase/);
  });

  it('lists the standard aliases of a key', () => {
    expect(standardAliasesFor('otelExporterOtlpEndpoint')).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(standardAliasesFor('httpPort')).toEqual([]);
  });
});

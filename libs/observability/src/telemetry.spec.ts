import { otlpTracesUrl, startTelemetry } from './telemetry';

const mockSdkLoads: string[] = [];

jest.mock('@opentelemetry/sdk-node', () => {
  mockSdkLoads.push('@opentelemetry/sdk-node');
  return jest.requireActual('@opentelemetry/sdk-node');
});

describe('startTelemetry', () => {
  it('returns undefined and never loads the SDK when no endpoint is configured', async () => {
    await expect(
      startTelemetry({ serviceName: 'scanner', serviceVersion: '1.2.3' }),
    ).resolves.toBeUndefined();
    await expect(
      startTelemetry({ serviceName: 'scanner', serviceVersion: '1.2.3', otlpEndpoint: undefined }),
    ).resolves.toBeUndefined();
    expect(mockSdkLoads).toEqual([]);
  });

  it('validates its options', async () => {
    await expect(
      startTelemetry({ serviceName: 'scanner', serviceVersion: '1', otlpEndpoint: 'collector:4318' }),
    ).rejects.toThrow();
    await expect(startTelemetry({ serviceName: '', serviceVersion: '1' })).rejects.toThrow();
  });

  it('appends the OTLP traces path to the endpoint', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otel.example/prefix')).toBe('https://otel.example/prefix/v1/traces');
  });
});

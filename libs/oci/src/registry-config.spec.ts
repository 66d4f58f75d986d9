import { isOciError } from './errors';
import { registryClientOptionsFromConfig, registryConfigSchema } from './registry-config';

describe('registryClientOptionsFromConfig', () => {
  it('applies defaults', () => {
    expect(registryClientOptionsFromConfig({})).toEqual({
      credentials: {},
      insecureHosts: [],
      timeoutMs: 30_000,
      retries: 3,
      maxManifestBytes: 4 * 1024 * 1024,
    });
    expect(registryConfigSchema.parse({}).registryRetries).toBe(3);
  });

  it('merges Docker config and explicit credentials, explicit ones winning', () => {
    const dockerConfig = JSON.stringify({
      auths: {
        'ghcr.io': { auth: Buffer.from('old:pw').toString('base64') },
        'quay.io': { username: 'q', password: 'qp' },
      },
    });
    const options = registryClientOptionsFromConfig(
      {
        registryDockerConfig: dockerConfig,
        registryCredentials: { 'ghcr.io': { username: 'bot', passwordFile: '/run/secrets/ghcr' } },
        registryInsecureHosts: ['lab:5000'],
        registryCa: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        registryRetries: 1,
      },
      (path) => (path === '/run/secrets/ghcr' ? 'secret\n' : ''),
    );
    expect(options.credentials).toEqual({
      'ghcr.io': { username: 'bot', password: 'secret' },
      'quay.io': { username: 'q', password: 'qp' },
    });
    expect(options).toMatchObject({
      insecureHosts: ['lab:5000'],
      retries: 1,
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it('refuses invalid settings with INVALID_ARGUMENT', () => {
    let error: unknown;
    try {
      registryClientOptionsFromConfig({ registryRetries: 99 });
    } catch (caught) {
      error = caught;
    }
    expect(isOciError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('registryRetries');
  });
});

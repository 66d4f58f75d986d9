import {
  credentialsFromDockerConfig,
  loadCredentials,
  normalizeRegistryHost,
  readDockerConfig,
} from './credentials';
import { isOciError } from './errors';

describe('loadCredentials', () => {
  it('resolves inline and *File secrets and normalizes hosts', () => {
    const files: Record<string, string> = { '/run/secrets/pw': 's3cret\n', '/run/secrets/token': 'tok-123' };
    const credentials = loadCredentials(
      {
        'https://index.docker.io/v1/': { username: 'hub', password: 'hubpw' },
        'ghcr.io': { username: 'bot', passwordFile: '/run/secrets/pw' },
        '127.0.0.1:5000': { tokenFile: '/run/secrets/token' },
        'quay.io': { token: 'q' },
      },
      (path) => {
        const value = files[path];
        if (value === undefined) throw new Error('ENOENT');
        return value;
      },
    );
    expect(credentials).toEqual({
      'docker.io': { username: 'hub', password: 'hubpw' },
      'ghcr.io': { username: 'bot', password: 's3cret' },
      '127.0.0.1:5000': { token: 'tok-123' },
      'quay.io': { token: 'q' },
    });
  });

  it('refuses malformed entries and unreadable or empty secret files', () => {
    const attempt = (input: unknown, read: (path: string) => string = () => ''): unknown => {
      try {
        loadCredentials(input, read);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(isOciError(attempt({ 'ghcr.io': { username: 'x' } }), 'INVALID_ARGUMENT')).toBe(true);
    expect(
      isOciError(attempt({ 'ghcr.io': { username: 'x', password: 'y', token: 'z' } }), 'INVALID_ARGUMENT'),
    ).toBe(true);
    expect(isOciError(attempt('nope'), 'INVALID_ARGUMENT')).toBe(true);
    expect(
      (
        attempt({ 'ghcr.io': { tokenFile: '/missing' } }, () => {
          throw new Error('ENOENT');
        }) as Error
      ).message,
    ).toContain('/missing');
    expect((attempt({ 'ghcr.io': { tokenFile: '/empty' } }, () => '\n') as Error).message).toContain('empty');
  });
});

describe('credentialsFromDockerConfig', () => {
  it('reads auth, username/password and registrytoken entries and skips identity tokens', () => {
    const config = JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:pa:ss').toString('base64') },
        'ghcr.io': { username: 'bot', password: 'pw' },
        'registry.example.com': { registrytoken: 'rt' },
        'oauth.example.com': { identitytoken: 'refresh' },
      },
      credsStore: 'desktop',
    });
    expect(credentialsFromDockerConfig(config)).toEqual({
      'docker.io': { username: 'hubuser', password: 'pa:ss' },
      'ghcr.io': { username: 'bot', password: 'pw' },
      'registry.example.com': { token: 'rt' },
    });
    expect(readDockerConfig('/home/u/.docker/config.json', () => config)['ghcr.io']).toEqual({
      username: 'bot',
      password: 'pw',
    });
  });

  it('refuses invalid JSON and a malformed auth field', () => {
    expect(() => credentialsFromDockerConfig('{')).toThrow(/not valid JSON/);
    expect(() =>
      credentialsFromDockerConfig({ auths: { 'x.io': { auth: Buffer.from('nocolon').toString('base64') } } }),
    ).toThrow(/user:password/);
  });

  it('normalizes registry keys', () => {
    expect(normalizeRegistryHost('https://registry-1.docker.io')).toBe('docker.io');
    expect(normalizeRegistryHost('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(normalizeRegistryHost('ghcr.io')).toBe('ghcr.io');
  });
});

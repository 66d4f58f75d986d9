import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsStore } from './credentials-store';

describe('CredentialsStore', () => {
  it('writes the token cache 0600 in a 0700 directory and reads it back', async () => {
    const home = join(await mkdtemp(join(tmpdir(), 'stella-home-')), 'nested');
    const store = new CredentialsStore(home);
    const credentials = {
      authorityUrl: 'http://127.0.0.1:7401',
      accessToken: 'eyJ.token.sig',
      tokenType: 'Bearer' as const,
      scope: 'release:read',
      expiresAt: '2030-01-01T00:00:00.000Z',
      grant: 'client_credentials' as const,
      principal: 'ci',
    };
    await store.save(credentials);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(await store.load()).toEqual(credentials);
    await store.clear();
    expect(await store.load()).toBeUndefined();
  });
});

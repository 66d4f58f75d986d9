import { parseAuthChallenges } from './challenge';

describe('parseAuthChallenges', () => {
  it('parses a Docker Hub bearer challenge with a comma inside the quoted scope', () => {
    expect(
      parseAuthChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull,push',
        },
      },
    ]);
  });

  it('parses basic, unquoted values, escapes and several challenges', () => {
    expect(
      parseAuthChallenges('Basic realm="Registry \\"x\\"", Bearer realm=https://a/t, error=invalid_token'),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'Registry "x"' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', error: 'invalid_token' } },
    ]);
  });

  it('returns nothing for an empty header', () => {
    expect(parseAuthChallenges('')).toEqual([]);
  });
});

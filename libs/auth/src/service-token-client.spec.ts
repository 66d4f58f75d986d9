import { ServiceTokenError } from './errors';
import { ServiceTokenClient } from './service-token-client';
import { FakeClock } from './token.fixture';

const TOKEN_URL = 'https://authority.test/oauth/token';

interface RecordedRequest {
  authorization: string | null;
  contentType: string | null;
  form: URLSearchParams;
}

function fakeTokenEndpoint(answer: (n: number) => Response | Promise<Response>) {
  const requests: RecordedRequest[] = [];
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    requests.push({
      authorization: headers.get('authorization'),
      contentType: headers.get('content-type'),
      form: new URLSearchParams(String(init?.body)),
    });
    await new Promise((resolve) => setImmediate(resolve));
    return answer(requests.length);
  }) as typeof fetch;
  return { requests, fetchFn };
}

const ok = (token: string, expiresIn = 600) =>
  new Response(
    JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'a b' }),
    {
      status: 200,
      headers: { 'content-type': 'application/json' },
    },
  );

describe('ServiceTokenClient', () => {
  it('sends a client_credentials request with Basic auth and caches the token', async () => {
    const endpoint = fakeTokenEndpoint((n) => ok(`token-${n}`));
    const client = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'svc:scanner',
      clientSecret: 'p@ss word',
      scopes: ['release:read', 'scan:write'],
      audience: 'stella',
      fetchFn: endpoint.fetchFn,
      clock: new FakeClock(),
    });
    expect(await client.getToken()).toBe('token-1');
    expect(await client.authorizationHeader()).toBe('Bearer token-1');
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(request?.form.get('grant_type')).toBe('client_credentials');
    expect(request?.form.get('scope')).toBe('release:read scan:write');
    expect(request?.form.get('audience')).toBe('stella');
    const decoded = Buffer.from(String(request?.authorization).replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('svc%3Ascanner:p%40ss%20word');
  });

  it('refreshes shortly before expiry', async () => {
    const clock = new FakeClock();
    const endpoint = fakeTokenEndpoint((n) => ok(`token-${n}`, 600));
    const client = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientSecret: 's',
      scopes: ['a'],
      refreshBeforeExpirySec: 30,
      fetchFn: endpoint.fetchFn,
      clock,
    });
    expect(await client.getToken()).toBe('token-1');
    clock.advance(569_000);
    expect(await client.getToken()).toBe('token-1');
    clock.advance(1_000);
    expect(await client.getToken()).toBe('token-2');
  });

  it('makes one request for many concurrent callers', async () => {
    const endpoint = fakeTokenEndpoint((n) => ok(`token-${n}`));
    const client = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientSecret: 's',
      scopes: ['a'],
      fetchFn: endpoint.fetchFn,
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(endpoint.requests).toHaveLength(1);
  });

  it('fetches anew after invalidate()', async () => {
    const endpoint = fakeTokenEndpoint((n) => ok(`token-${n}`));
    const client = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientSecret: 's',
      scopes: ['a'],
      fetchFn: endpoint.fetchFn,
    });
    await client.getToken();
    client.invalidate();
    expect(await client.getToken()).toBe('token-2');
  });

  it('reports an OAuth refusal with its error code, and retries on the next call', async () => {
    const endpoint = fakeTokenEndpoint((n) =>
      n === 1 ? new Response(JSON.stringify({ error: 'invalid_client' }), { status: 401 }) : ok('token-2'),
    );
    const client = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientSecret: 's',
      scopes: ['a'],
      fetchFn: endpoint.fetchFn,
    });
    const error = await client.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTokenError);
    expect(error).toMatchObject({
      code: 'TOKEN_REQUEST_REJECTED',
      status: 401,
      oauthError: 'invalid_client',
    });
    expect(await client.getToken()).toBe('token-2');
  });

  it('reports an unreachable endpoint and an invalid response', async () => {
    const down = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientSecret: 's',
      scopes: ['a'],
      fetchFn: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    await expect(down.getToken()).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNREACHABLE' });
    const odd = new ServiceTokenClient({
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientSecret: 's',
      scopes: ['a'],
      fetchFn: (async () =>
        new Response(JSON.stringify({ access_token: 'x', token_type: 'mac' }))) as typeof fetch,
    });
    await expect(odd.getToken()).rejects.toMatchObject({ code: 'TOKEN_RESPONSE_INVALID' });
  });

  it('validates its options', () => {
    expect(
      () =>
        new ServiceTokenClient({ tokenUrl: 'not a url', clientId: 'c', clientSecret: 's', scopes: ['a'] }),
    ).toThrow(TypeError);
    expect(
      () =>
        new ServiceTokenClient({
          tokenUrl: TOKEN_URL,
          clientId: 'c',
          clientSecret: 's',
          scopes: ['has space'],
        }),
    ).toThrow(TypeError);
  });
});

import { digestOf } from './digest';
import { OciError } from './errors';
import { MediaTypes } from './media-types';
import { RegistryClient, attestationTag, type RegistryClientOptions } from './registry-client';
import type { HttpRequest } from './registry-http';

interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
}

type Handler = (call: RecordedCall, body: Uint8Array | undefined) => Response | Promise<Response>;

/** A scripted HTTP port: routes `METHOD url` (query ignored) to handlers and records every call. */
function fakeHttp(routes: Record<string, Handler | Handler[]>): {
  fetch: RegistryClientOptions['fetch'];
  calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const counters = new Map<string, number>();
  const fetch = async (url: string, init: HttpRequest): Promise<Response> => {
    const call = { method: init.method, url, headers: init.headers };
    calls.push(call);
    const key = `${init.method} ${url.split('?')[0]}`;
    const route = routes[key];
    if (route === undefined) throw new TypeError(`fetch failed: no route for ${key}`);
    const count = counters.get(key) ?? 0;
    counters.set(key, count + 1);
    const handler = Array.isArray(route) ? route[Math.min(count, route.length - 1)] : route;
    return (handler as Handler)(call, init.body);
  };
  return { fetch, calls };
}

const manifestBytes = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: digestOf(Buffer.from('{}')), size: 2 },
    layers: [],
  }),
);
const manifestDigest = digestOf(manifestBytes);
const REGISTRY = 'https://registry.example.com';

function manifestResponse(bytes: Buffer = manifestBytes, headers: Record<string, string> = {}): Response {
  return new Response(bytes, {
    status: 200,
    headers: { 'content-type': MediaTypes.ociManifest, 'docker-content-digest': digestOf(bytes), ...headers },
  });
}

function headResponse(digest = manifestDigest): Response {
  return new Response(null, {
    status: 200,
    headers: { 'content-type': MediaTypes.ociManifest, 'docker-content-digest': digest },
  });
}

function registryError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ code, message }] }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function caught(promise: Promise<unknown>): Promise<OciError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OciError) return error;
    throw error;
  }
  throw new Error('expected an OciError');
}

function client(options: RegistryClientOptions): RegistryClient {
  return new RegistryClient({ retries: 2, retryBaseDelayMs: 5, sleep: async () => undefined, ...options });
}

describe('RegistryClient bearer token flow', () => {
  const challenge =
    'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"';
  const manifestPath = `${REGISTRY}/v2/team/app/manifests`;

  function tokenRoutes(): { routes: Record<string, Handler | Handler[]>; issued: string[] } {
    const issued: string[] = [];
    const requireToken: Handler = (call) =>
      call.headers.authorization?.startsWith('Bearer tok-')
        ? headResponse()
        : new Response(null, { status: 401, headers: { 'www-authenticate': challenge } });
    const routes: Record<string, Handler | Handler[]> = {
      'GET https://auth.example.com/token': (call) => {
        const url = new URL(call.url);
        if (call.headers.authorization !== `Basic ${Buffer.from('bot:pw').toString('base64')}`)
          return registryError(401, 'UNAUTHORIZED', 'bad credentials');
        const token = `tok-${issued.length + 1}`;
        expect(url.searchParams.get('account')).toBe('bot');
        issued.push(`${url.searchParams.get('service')} ${url.searchParams.getAll('scope').join(' ')}`);
        return new Response(JSON.stringify({ token, expires_in: 100 }), { status: 200 });
      },
      [`HEAD ${manifestPath}/v1`]: requireToken,
      [`GET ${manifestPath}/${manifestDigest}`]: (call) =>
        call.headers.authorization?.startsWith('Bearer tok-')
          ? manifestResponse()
          : new Response(null, { status: 401, headers: { 'www-authenticate': challenge } }),
      [`HEAD ${REGISTRY}/v2/team/app/blobs/${digestOf(Buffer.from('blob'))}`]: (call) =>
        call.headers.authorization?.startsWith('Bearer tok-')
          ? new Response(null, { status: 200, headers: { 'content-length': '4' } })
          : new Response(null, { status: 401, headers: { 'www-authenticate': challenge } }),
    };
    return { routes, issued };
  }

  it('fetches a token with the credentials once per scope and renews it after expiry', async () => {
    const { routes, issued } = tokenRoutes();
    const http = fakeHttp(routes);
    let now = 1_000_000;
    const registryClient = client({
      fetch: http.fetch,
      credentials: { 'registry.example.com': { username: 'bot', password: 'pw' } },
      clock: { now: () => now },
    });

    const resolved = await registryClient.resolve('registry.example.com/team/app:v1');
    expect(resolved.digest).toBe(manifestDigest);
    await registryClient.resolve('registry.example.com/team/app:v1');
    expect(issued).toEqual(['registry.example.com repository:team/app:pull']);
    // Only the very first request went out without a token.
    expect(
      http.calls.filter((call) => call.url.startsWith(REGISTRY) && call.headers.authorization === undefined),
    ).toHaveLength(1);

    // The push scope gets its own token straight away: the challenge of the host is remembered.
    await registryClient.pushBlob('registry.example.com/team/app', Buffer.from('blob'));
    expect(issued[1]).toBe('registry.example.com repository:team/app:pull,push');

    now += 95_000;
    await registryClient.resolve('registry.example.com/team/app:v1');
    expect(issued).toHaveLength(3);
  });

  it('reports refused credentials at the token service as UNAUTHORIZED', async () => {
    const { routes } = tokenRoutes();
    const registryClient = client({
      fetch: fakeHttp(routes).fetch,
      credentials: { 'registry.example.com': { username: 'bot', password: 'nope' } },
    });
    const error = await caught(registryClient.resolve('registry.example.com/team/app:v1'));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.registryErrors).toEqual([{ code: 'UNAUTHORIZED', message: 'bad credentials' }]);
  });

  it('refuses a token realm over plain HTTP on a non-loopback host before sending credentials', async () => {
    const http = fakeHttp({
      [`HEAD ${manifestPath}/v1`]: () =>
        new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="x"' },
        }),
    });
    const registryClient = client({
      fetch: http.fetch,
      credentials: { 'registry.example.com': { username: 'bot', password: 'pw' } },
    });
    const error = await caught(registryClient.resolve('registry.example.com/team/app:v1'));
    expect(error.code).toBe('INSECURE_TRANSPORT_REFUSED');
    expect(http.calls.some((call) => call.url.includes('auth.example.com'))).toBe(false);
  });

  it('sends a static token as is and reports its refusal', async () => {
    const http = fakeHttp({
      [`HEAD ${manifestPath}/v1`]: () =>
        new Response(null, { status: 401, headers: { 'www-authenticate': challenge } }),
    });
    const registryClient = client({
      fetch: http.fetch,
      credentials: { 'registry.example.com': { token: 'static' } },
    });
    expect((await caught(registryClient.resolve('registry.example.com/team/app:v1'))).code).toBe(
      'UNAUTHORIZED',
    );
    expect(http.calls[0]?.headers.authorization).toBe('Bearer static');
  });
});

describe('RegistryClient basic auth and access errors', () => {
  it('answers a basic challenge with the credentials and then sends them up front', async () => {
    const expected = `Basic ${Buffer.from('u:p').toString('base64')}`;
    const guarded: Handler = (call) =>
      call.headers.authorization === expected
        ? headResponse()
        : new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } });
    const http = fakeHttp({
      [`HEAD ${REGISTRY}/v2/app/manifests/v1`]: guarded,
      [`GET ${REGISTRY}/v2/app/manifests/${manifestDigest}`]: (call) =>
        call.headers.authorization === expected ? manifestResponse() : new Response(null, { status: 401 }),
    });
    const registryClient = client({
      fetch: http.fetch,
      credentials: { 'registry.example.com': { username: 'u', password: 'p' } },
    });
    await registryClient.resolve('registry.example.com/app:v1');
    expect(http.calls.map((call) => call.headers.authorization === expected)).toEqual([false, true, true]);
  });

  it('maps 403 to DENIED with the registry error body', async () => {
    const http = fakeHttp({
      [`HEAD ${REGISTRY}/v2/app/manifests/v1`]: () =>
        registryError(403, 'DENIED', 'requested access to the resource is denied'),
    });
    const error = await caught(client({ fetch: http.fetch }).resolve('registry.example.com/app:v1'));
    expect(error.code).toBe('DENIED');
    expect(error.registryErrors[0]?.code).toBe('DENIED');
  });
});

describe('RegistryClient endpoints, retries and redirects', () => {
  it('reaches Docker Hub at registry-1.docker.io over HTTPS', async () => {
    const http = fakeHttp({
      'HEAD https://registry-1.docker.io/v2/library/nginx/manifests/latest': () => headResponse(),
      [`GET https://registry-1.docker.io/v2/library/nginx/manifests/${manifestDigest}`]: () =>
        manifestResponse(),
    });
    const resolved = await client({ fetch: http.fetch }).resolve('nginx');
    expect(resolved.reference).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
      digest: manifestDigest,
    });
    expect(http.calls[0]?.headers.accept).toContain(MediaTypes.ociIndex);
    expect(http.calls[0]?.headers.accept).toContain(MediaTypes.dockerManifest);
  });

  it('retries 5xx with exponential backoff and succeeds', async () => {
    const sleeps: number[] = [];
    const http = fakeHttp({
      [`HEAD ${REGISTRY}/v2/app/manifests/v1`]: [
        () => new Response(null, { status: 503 }),
        () => new Response(null, { status: 502 }),
        () => headResponse(),
      ],
      [`GET ${REGISTRY}/v2/app/manifests/${manifestDigest}`]: () => manifestResponse(),
    });
    const registryClient = new RegistryClient({
      fetch: http.fetch,
      retries: 3,
      retryBaseDelayMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect((await registryClient.resolve('registry.example.com/app:v1')).digest).toBe(manifestDigest);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up with REGISTRY_UNAVAILABLE after the retry budget, keeping the last error body', async () => {
    const http = fakeHttp({
      [`HEAD ${REGISTRY}/v2/app/manifests/v1`]: () => registryError(503, 'UNAVAILABLE', 'maintenance'),
    });
    const error = await caught(client({ fetch: http.fetch }).resolve('registry.example.com/app:v1'));
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.status).toBe(503);
    expect(error.registryErrors).toEqual([{ code: 'UNAVAILABLE', message: 'maintenance' }]);
    expect(http.calls).toHaveLength(3);
  });

  it('follows a blob redirect to storage without the registry credentials and verifies the bytes', async () => {
    const blob = Buffer.from('layer bytes');
    const digest = digestOf(blob);
    const http = fakeHttp({
      [`GET ${REGISTRY}/v2/app/blobs/${digest}`]: () =>
        new Response(null, { status: 307, headers: { location: 'https://storage.example.net/b/1?sig=x' } }),
      'GET https://storage.example.net/b/1': () =>
        new Response(blob, { status: 200, headers: { 'content-length': String(blob.length) } }),
    });
    const registryClient = client({
      fetch: http.fetch,
      credentials: { 'registry.example.com': { token: 't' } },
    });
    expect((await registryClient.readBlob('registry.example.com/app', digest)).equals(blob)).toBe(true);
    expect(http.calls[0]?.headers.authorization).toBe('Bearer t');
    expect(http.calls[1]?.headers.authorization).toBeUndefined();
  });

  it('refuses a redirect to plain HTTP off loopback', async () => {
    const digest = digestOf(Buffer.from('x'));
    const http = fakeHttp({
      [`GET ${REGISTRY}/v2/app/blobs/${digest}`]: () =>
        new Response(null, { status: 302, headers: { location: 'http://storage.example.net/b' } }),
    });
    expect(
      (await caught(client({ fetch: http.fetch }).readBlob('registry.example.com/app', digest))).code,
    ).toBe('INSECURE_TRANSPORT_REFUSED');
  });

  it('uses plain HTTP only for loopback and insecure hosts', async () => {
    const http = fakeHttp({
      'HEAD http://lab.internal:5000/v2/app/manifests/v1': () => headResponse(),
      [`GET http://lab.internal:5000/v2/app/manifests/${manifestDigest}`]: () => manifestResponse(),
      'HEAD https://other.internal:5000/v2/app/manifests/v1': () => headResponse(),
      [`GET https://other.internal:5000/v2/app/manifests/${manifestDigest}`]: () => manifestResponse(),
    });
    const registryClient = client({ fetch: http.fetch, insecureHosts: ['lab.internal:5000'] });
    await registryClient.resolve('lab.internal:5000/app:v1');
    await registryClient.resolve('other.internal:5000/app:v1');
    expect(http.calls.map((call) => new URL(call.url).protocol)).toEqual([
      'http:',
      'http:',
      'https:',
      'https:',
    ]);
  });
});

describe('RegistryClient integrity and limits', () => {
  it('flags a manifest whose bytes do not hash to the announced digest', async () => {
    const announced = digestOf(Buffer.from('something else'));
    const http = fakeHttp({
      [`HEAD ${REGISTRY}/v2/app/manifests/v1`]: () => headResponse(announced),
      [`GET ${REGISTRY}/v2/app/manifests/${announced}`]: () =>
        manifestResponse(manifestBytes, { 'docker-content-digest': announced }),
    });
    const error = await caught(client({ fetch: http.fetch }).resolve('registry.example.com/app:v1'));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.tamper).toBe(true);
    expect(error.details).toMatchObject({ expected: announced, actual: manifestDigest });
  });

  it('verifies a manifest fetched by digest against that digest even without headers', async () => {
    const wanted = digestOf(Buffer.from('wanted'));
    const http = fakeHttp({
      [`GET ${REGISTRY}/v2/app/manifests/${wanted}`]: () =>
        new Response(manifestBytes, { status: 200, headers: { 'content-type': MediaTypes.ociManifest } }),
    });
    const error = await caught(
      client({ fetch: http.fetch }).getManifest(`registry.example.com/app@${wanted}`),
    );
    expect(error.code).toBe('DIGEST_MISMATCH');
  });

  it('refuses manifests over the size limit, announced or not', async () => {
    const announcedLarge = fakeHttp({
      [`GET ${REGISTRY}/v2/app/manifests/v1`]: () =>
        new Response(manifestBytes, {
          status: 200,
          headers: { 'content-type': MediaTypes.ociManifest, 'content-length': String(5 * 1024 * 1024) },
        }),
    });
    expect(
      (await caught(client({ fetch: announcedLarge.fetch }).getManifest('registry.example.com/app:v1'))).code,
    ).toBe('TOO_LARGE');

    const streamedLarge = fakeHttp({
      [`GET ${REGISTRY}/v2/app/manifests/v1`]: () =>
        new Response(
          new ReadableStream({
            start: (controller) => {
              controller.enqueue(manifestBytes);
              controller.close();
            },
          }),
          { status: 200, headers: { 'content-type': MediaTypes.ociManifest } },
        ),
    });
    const error = await caught(
      client({ fetch: streamedLarge.fetch, maxManifestBytes: 64 }).getManifest('registry.example.com/app:v1'),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.details.limit).toBe(64);
  });

  it('refuses schema 1 and mislabelled manifests', async () => {
    const schema1 = fakeHttp({
      [`GET ${REGISTRY}/v2/app/manifests/v1`]: () =>
        new Response('{"schemaVersion":1}', {
          status: 200,
          headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' },
        }),
    });
    expect(
      (await caught(client({ fetch: schema1.fetch }).getManifest('registry.example.com/app:v1'))).code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');

    const mislabelled = fakeHttp({
      [`GET ${REGISTRY}/v2/app/manifests/v1`]: () =>
        manifestResponse(manifestBytes, { 'content-type': MediaTypes.ociIndex }),
    });
    expect(
      (await caught(client({ fetch: mislabelled.fetch }).getManifest('registry.example.com/app:v1'))).code,
    ).toBe('PROTOCOL_ERROR');
  });

  it('fails a blob stream whose length differs from its descriptor', async () => {
    const blob = Buffer.from('abc');
    const digest = digestOf(blob);
    const http = fakeHttp({
      [`GET ${REGISTRY}/v2/app/blobs/${digest}`]: () =>
        new Response(blob, { status: 200, headers: { 'content-length': '3' } }),
    });
    const error = await caught(
      client({ fetch: http.fetch }).readBlob('registry.example.com/app', digest, { expectedSize: 4 }),
    );
    expect(error).toMatchObject({
      code: 'DIGEST_MISMATCH',
      tamper: true,
      details: { expectedSize: 4, actualSize: 3 },
    });
  });

  it('maps a missing blob to NOT_FOUND with the registry error', async () => {
    const digest = digestOf(Buffer.from('gone'));
    const http = fakeHttp({
      [`GET ${REGISTRY}/v2/app/blobs/${digest}`]: () =>
        registryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry'),
    });
    const error = await caught(client({ fetch: http.fetch }).readBlob('registry.example.com/app', digest));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, details: { digest } });
    expect(error.registryErrors[0]?.code).toBe('BLOB_UNKNOWN');
  });
});

describe('RegistryClient inputs', () => {
  it('validates options, references and push inputs', async () => {
    expect(() => new RegistryClient({ retries: -1 })).toThrow(OciError);
    expect(() => new RegistryClient({ bogus: true } as unknown as RegistryClientOptions)).toThrow(/bogus/);
    const registryClient = client({ fetch: fakeHttp({}).fetch });
    expect((await caught(registryClient.resolve('Bad/Name'))).code).toBe('INVALID_REFERENCE');
    expect(
      (await caught(registryClient.resolve('registry.example.com/app:v1', { platform: 'linux' }))).code,
    ).toBe('INVALID_REFERENCE');
    expect(
      (
        await caught(
          registryClient.pushManifest(
            'registry.example.com/app:v1',
            Buffer.from('{"schemaVersion":2}'),
            MediaTypes.ociManifest,
          ),
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
    expect(
      (
        await caught(
          registryClient.pushManifest(
            'registry.example.com/app:v1',
            manifestBytes,
            'text/plain' as typeof MediaTypes.ociManifest,
          ),
        )
      ).code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(
      (
        await caught(
          registryClient.pushManifest(
            `registry.example.com/app@${digestOf(Buffer.from('x'))}`,
            manifestBytes,
            MediaTypes.ociManifest,
          ),
        )
      ).code,
    ).toBe('DIGEST_MISMATCH');
    expect((await caught(registryClient.listTags('registry.example.com/app', { pageSize: 0 }))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('pushes a manifest object as canonical JSON', async () => {
    const sent: Buffer[] = [];
    const http = fakeHttp({
      [`PUT ${REGISTRY}/v2/app/manifests/v1`]: (_call, body) => {
        sent.push(Buffer.from(body ?? new Uint8Array()));
        return new Response(null, {
          status: 201,
          headers: { 'docker-content-digest': digestOf(body ?? new Uint8Array()) },
        });
      },
    });
    const manifest = {
      schemaVersion: 2 as const,
      layers: [],
      mediaType: MediaTypes.ociManifest,
      config: { size: 2, mediaType: MediaTypes.ociConfig, digest: digestOf(Buffer.from('{}')) },
    };
    const pushed = await client({ fetch: http.fetch }).pushManifest(
      'registry.example.com/app:v1',
      manifest,
      MediaTypes.ociManifest,
    );
    expect(sent[0]?.toString('utf8')).toBe(
      `{"config":{"digest":"${digestOf(Buffer.from('{}'))}","mediaType":"${MediaTypes.ociConfig}","size":2},"layers":[],"mediaType":"${MediaTypes.ociManifest}","schemaVersion":2}`,
    );
    expect(pushed).toEqual({
      digest: digestOf(sent[0]!),
      size: sent[0]!.length,
      mediaType: MediaTypes.ociManifest,
    });
  });

  it('names tag-fallback attestation tags after the subject digest', () => {
    expect(attestationTag(manifestDigest)).toBe(`sha256-${manifestDigest.slice(7)}.att`);
    expect(attestationTag(manifestDigest, 'sig')).toBe(`sha256-${manifestDigest.slice(7)}.sig`);
    expect(() => attestationTag('sha256:abc')).toThrow(OciError);
  });
});

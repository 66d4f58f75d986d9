import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  get as httpGet,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';

/**
 * A real Distribution registry (Debian's docker-registry 2.8) on a free loopback port with
 * its own storage directory, optionally behind htpasswd basic auth or the Docker token
 * protocol served by an in-process token server. Images are built with umoci and pushed
 * with skopeo. Needs the apt packages docker-registry, skopeo, umoci, apache2-utils, openssl.
 */

const run = promisify(execFile);

export type TestRegistryAuth = 'none' | 'basic' | 'token';

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the registry part of references. */
  host: string;
  /** `http://127.0.0.1:PORT`, or `https://` with `tls: true` */
  url: string;
  auth: TestRegistryAuth;
  /** Account accepted by basic auth and by the token server; absent for `none`. */
  credentials?: { username: string; password: string };
  /** Token service URL (`auth: 'token'` only). */
  tokenRealm?: string;
  /** PEM of the self-signed certificate the registry serves (`tls: true` only): pass it as the client's CA. */
  caCertificate?: string;
  /** Filesystem storage root of the registry, for tests that corrupt stored content. */
  storageDir: string;
  /** Where the registry keeps the bytes of a blob. */
  blobDataPath(digest: string): string;
  stop(): Promise<void>;
}

export interface StartTestRegistryOptions {
  auth?: TestRegistryAuth;
  /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 (see `caCertificate`). */
  tls?: boolean;
  username?: string;
  password?: string;
}

export interface TestPlatform {
  os: string;
  architecture: string;
}

export interface PushTestImageOptions {
  repo: string;
  tag: string;
  /** Files placed in the image root filesystem: path inside the image -> content. */
  files: Record<string, string | Uint8Array>;
  /** Several platforms push an OCI image index (or Docker manifest list with v2s2) over one image per platform. */
  platforms?: TestPlatform[];
  /** `oci` (default) keeps OCI media types; `v2s2` converts to Docker v2 schema 2. */
  format?: 'oci' | 'v2s2';
}

export interface PushedTestImage {
  /** `127.0.0.1:PORT/repo:tag` */
  reference: string;
  /** sha256 of the manifest bytes the registry serves for the tag, computed here independently of any client. */
  digest: string;
  mediaType: string;
  /** For multi-platform pushes: each platform's manifest digest as listed in the served index. */
  platforms?: Array<{ platform: TestPlatform; digest: string }>;
}

const TOKEN_SERVICE = 'stella-test-registry';
const TOKEN_ISSUER = 'stella-test-token-issuer';
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface TokenServer {
  realm: string;
  close(): Promise<void>;
}

/**
 * Docker token protocol: GET realm?service=&scope=repository:NAME:ACTIONS, basic auth optional.
 * Valid credentials get every requested action, no credentials get a token with no access
 * (like public registries), wrong credentials get 401. Tokens are RS256 JWTs whose `x5c`
 * header carries the certificate the registry trusts through `rootcertbundle`.
 */
async function startTokenServer(
  privateKey: KeyObject,
  certificateDer: Buffer,
  username: string,
  password: string,
): Promise<TokenServer> {
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://token.local');
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token')
      return reply(404, { errors: [{ code: 'NOT_FOUND', message: 'unknown path' }] });
    const authorization = request.headers.authorization;
    let account: string | undefined;
    if (authorization !== undefined) {
      const decoded = authorization.startsWith('Basic ')
        ? Buffer.from(authorization.slice(6), 'base64').toString('utf8')
        : '';
      if (decoded !== `${username}:${password}`)
        return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] });
      account = username;
    }
    const access =
      account === undefined
        ? []
        : url.searchParams.getAll('scope').flatMap((scope) => {
            const match = /^repository:(.+):([a-z*,]+)$/.exec(scope);
            return match
              ? [{ type: 'repository', name: match[1], actions: (match[2] ?? '').split(',') }]
              : [];
          });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certificateDer.toString('base64')] };
    const claims = {
      iss: TOKEN_ISSUER,
      sub: account ?? '',
      aud: url.searchParams.get('service') ?? TOKEN_SERVICE,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), privateKey);
    const token = `${signingInput}.${base64url(signature)}`;
    return reply(200, {
      token,
      access_token: token,
      expires_in: 300,
      issued_at: new Date(now * 1000).toISOString(),
    });
  };
  const server: Server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Plain GET with node:http(s), so a test CA is trusted without touching the global fetch or any client under test. */
function rawGet(url: string, headers: Record<string, string> = {}, ca?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsGet : httpGet)(
      url,
      { headers, ...(ca === undefined ? {} : { ca }) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

async function waitForRegistry(
  url: string,
  child: ChildProcess,
  output: () => string,
  ca: string | undefined,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode}: ${output()}`);
    try {
      const { status } = await rawGet(`${url}/v2/`, {}, ca);
      if (status === 200 || status === 401) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}/v2/: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const forceKill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Spawns the registry on a free port and waits for /v2/. The port is free when picked but could be
 * taken before the registry binds it, so a registry that exits at start is retried on another port.
 */
async function launchRegistry(
  dir: string,
  scheme: 'http' | 'https',
  ca: string | undefined,
  configFor: (address: string) => string,
): Promise<{ child: ChildProcess; host: string }> {
  const configPath = join(dir, 'config.yml');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const host = `127.0.0.1:${await freePort()}`;
    await writeFile(configPath, configFor(host));
    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const spawnFailure = new Promise<never>((_, reject) =>
      child.once('error', (error) =>
        reject(
          new Error(`cannot start docker-registry (apt-get install -y docker-registry): ${error.message}`),
        ),
      ),
    );
    try {
      await Promise.race([waitForRegistry(`${scheme}://${host}`, child, () => output, ca), spawnFailure]);
      return { child, host };
    } catch (error) {
      lastError = error;
      await stopChild(child);
      if (child.exitCode === null || (error instanceof Error && error.message.startsWith('cannot start')))
        break;
    }
  }
  throw lastError;
}

/** Starts a registry; `stop()` kills it, closes the token server and deletes its directory. */
export async function startTestRegistry(options: StartTestRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const username = options.username ?? 'stella';
  const password = options.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'stella-registry-'));
  const storageDir = join(dir, 'storage');
  await mkdir(storageDir);
  let tokenServer: TokenServer | undefined;

  let authConfig = '';
  try {
    if (auth === 'basic') {
      // bcrypt is the only hash registry 2.8 accepts in htpasswd files.
      const { stdout } = await run('htpasswd', ['-Bbn', username, password]);
      await writeFile(join(dir, 'htpasswd'), stdout);
      authConfig = `auth:\n  htpasswd:\n    realm: stella-test\n    path: ${join(dir, 'htpasswd')}\n`;
    } else if (auth === 'token') {
      const keyPath = join(dir, 'token-key.pem');
      const certPath = join(dir, 'token-cert.pem');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=stella-test-token-issuer',
      ]);
      const certificatePem = await readFile(certPath, 'utf8');
      const certificateDer = Buffer.from(
        certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''),
        'base64',
      );
      tokenServer = await startTokenServer(
        createPrivateKey(await readFile(keyPath)),
        certificateDer,
        username,
        password,
      );
      authConfig = `auth:\n  token:\n    realm: ${tokenServer.realm}\n    service: ${TOKEN_SERVICE}\n    issuer: ${TOKEN_ISSUER}\n    rootcertbundle: ${certPath}\n`;
    }
    let tlsConfig = '';
    let caCertificate: string | undefined;
    if (options.tls) {
      const keyPath = join(dir, 'tls-key.pem');
      const certPath = join(dir, 'tls-cert.pem');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ]);
      caCertificate = await readFile(certPath, 'utf8');
      tlsConfig = `  tls:\n    certificate: ${certPath}\n    key: ${keyPath}\n`;
    }
    const scheme = options.tls ? 'https' : 'http';
    const { child, host } = await launchRegistry(dir, scheme, caCertificate, (address) =>
      [
        'version: 0.1',
        'log:\n  level: warn\n  accesslog:\n    disabled: true',
        `storage:\n  filesystem:\n    rootdirectory: ${storageDir}\n  delete:\n    enabled: true`,
        `http:\n  addr: ${address}\n${tlsConfig}${authConfig}`,
      ].join('\n'),
    );
    const url = `${scheme}://${host}`;

    const registry: TestRegistry = {
      host,
      url,
      auth,
      storageDir,
      blobDataPath(digest: string): string {
        const hex = digest.replace(/^sha256:/, '');
        if (!/^[a-f0-9]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
        return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
      },
      async stop(): Promise<void> {
        await stopChild(child);
        await tokenServer?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    if (auth !== 'none') registry.credentials = { username, password };
    if (tokenServer) registry.tokenRealm = tokenServer.realm;
    if (caCertificate !== undefined) registry.caCertificate = caCertificate;
    return registry;
  } catch (error) {
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: TestPlatform;
}

async function buildPlatformImage(
  layout: string,
  workDir: string,
  name: string,
  files: PushTestImageOptions['files'],
  platform: TestPlatform,
): Promise<void> {
  const bundle = join(workDir, `bundle-${name}`);
  await run('umoci', ['new', '--image', `${layout}:${name}`]);
  await run('umoci', ['unpack', '--rootless', '--image', `${layout}:${name}`, bundle]);
  const rootfs = join(bundle, 'rootfs');
  for (const [path, content] of Object.entries(files)) {
    const target = normalize(join(rootfs, path));
    if (!target.startsWith(`${rootfs}/`)) throw new Error(`file path escapes the image root: ${path}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await run('umoci', ['repack', '--image', `${layout}:${name}`, bundle]);
  await run('umoci', [
    'config',
    '--image',
    `${layout}:${name}`,
    '--os',
    platform.os,
    '--architecture',
    platform.architecture,
    '--config.cmd',
    '/bin/true',
  ]);
}

/** Appends an OCI index over the named per-platform manifests to the layout and tags it. */
async function addIndexToLayout(
  layout: string,
  tag: string,
  entries: Array<{ name: string; platform: TestPlatform }>,
): Promise<void> {
  const indexPath = join(layout, 'index.json');
  const layoutIndex = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: LayoutDescriptor[] };
  const manifests = entries.map(({ name, platform }) => {
    const descriptor = layoutIndex.manifests.find(
      (entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === name,
    );
    if (!descriptor) throw new Error(`layout has no image named ${name}`);
    return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, platform };
  });
  const indexBytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const hex = createHash('sha256').update(indexBytes).digest('hex');
  await writeFile(join(layout, 'blobs/sha256', hex), indexBytes);
  layoutIndex.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: indexBytes.byteLength,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  });
  await writeFile(indexPath, JSON.stringify(layoutIndex));
}

/** Builds a small image (or multi-platform index) and pushes it; returns what the registry now serves for the tag. */
export async function pushTestImage(
  registry: TestRegistry,
  options: PushTestImageOptions,
): Promise<PushedTestImage> {
  const platforms = options.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  if (platforms.length === 0) throw new Error('platforms must not be empty');
  const workDir = await mkdtemp(join(tmpdir(), 'stella-image-'));
  const layout = join(workDir, 'layout');
  try {
    await run('umoci', ['init', '--layout', layout]);
    const names = platforms.map((_, index) => `platform-${index}`);
    for (const [index, platform] of platforms.entries()) {
      await buildPlatformImage(layout, workDir, names[index] as string, options.files, platform);
    }
    let source = names[0] as string;
    const copyArgs = ['copy', '--quiet', '--dest-tls-verify=false'];
    if (platforms.length > 1) {
      await addIndexToLayout(
        layout,
        options.tag,
        platforms.map((platform, index) => ({ name: names[index] as string, platform })),
      );
      source = options.tag;
      copyArgs.push('--all');
    }
    if (options.format === 'v2s2') copyArgs.push('--format', 'v2s2');
    if (registry.credentials)
      copyArgs.push('--dest-creds', `${registry.credentials.username}:${registry.credentials.password}`);
    const reference = `${registry.host}/${options.repo}:${options.tag}`;
    await run('skopeo', [...copyArgs, `oci:${layout}:${source}`, `docker://${reference}`]);
    return await describePushed(registry, options.repo, options.tag, reference);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Reads the pushed manifest straight from the registry (basic auth or a token when needed) and hashes it. */
async function describePushed(
  registry: TestRegistry,
  repo: string,
  tag: string,
  reference: string,
): Promise<PushedTestImage> {
  const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
  if (registry.credentials) {
    const basic = `Basic ${Buffer.from(`${registry.credentials.username}:${registry.credentials.password}`).toString('base64')}`;
    if (registry.tokenRealm) {
      const token = await rawGet(
        `${registry.tokenRealm}?service=${TOKEN_SERVICE}&scope=repository:${repo}:pull`,
        { authorization: basic },
      );
      headers.authorization = `Bearer ${(JSON.parse(token.body.toString('utf8')) as { token: string }).token}`;
    } else {
      headers.authorization = basic;
    }
  }
  const response = await rawGet(
    `${registry.url}/v2/${repo}/manifests/${tag}`,
    headers,
    registry.caCertificate,
  );
  if (response.status !== 200)
    throw new Error(`pushed ${reference} but GET of its manifest answered ${response.status}`);
  const digest = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
  const body = JSON.parse(response.body.toString('utf8')) as {
    mediaType?: string;
    manifests?: LayoutDescriptor[];
  };
  const contentType = response.headers['content-type'];
  const mediaType = (
    (typeof contentType === 'string' ? contentType : undefined) ??
    body.mediaType ??
    ''
  ).split(';')[0] as string;
  const pushed: PushedTestImage = { reference, digest, mediaType };
  if (body.manifests) {
    pushed.platforms = body.manifests.map((entry) => ({
      platform: entry.platform as TestPlatform,
      digest: entry.digest,
    }));
  }
  return pushed;
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OciError } from './errors';
import { DOCKER_HUB_REGISTRY } from './reference';

/** What the client sends to one registry host: HTTP basic credentials (also used at a token realm) or a ready bearer token. */
export type RegistryCredential = { username: string; password: string } | { token: string };

/** Credentials keyed by registry host as it appears in references (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
export type RegistryCredentials = Record<string, RegistryCredential>;

const credentialInputSchema = z.union([
  z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({ username: z.string().min(1), passwordFile: z.string().min(1) }),
  z.strictObject({ token: z.string().min(1) }),
  z.strictObject({ tokenFile: z.string().min(1) }),
]);
const credentialsInputSchema = z.record(z.string().min(1), credentialInputSchema);

/** Input accepted by {@link loadCredentials}: secrets inline or as `*File` paths (mounted secrets). */
export type RegistryCredentialsInput = z.input<typeof credentialsInputSchema>;

function invalidCredentials(message: string, cause?: unknown): OciError<'INVALID_ARGUMENT'> {
  return new OciError('INVALID_ARGUMENT', message, { cause, details: { source: 'credentials' } });
}

/** Hosts named with a scheme or path (`https://index.docker.io/v1/`) reduce to the reference form (`docker.io`). */
export function normalizeRegistryHost(key: string): string {
  let host = key.trim();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  host = host.split('/')[0] ?? host;
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com')
    return DOCKER_HUB_REGISTRY;
  return host;
}

function readSecret(path: string, readFile: (path: string) => string): string {
  let value: string;
  try {
    value = readFile(path);
  } catch (error) {
    throw invalidCredentials(`cannot read secret file ${path}`, error);
  }
  // Secret files usually end with a newline that is not part of the secret.
  value = value.replace(/\r?\n$/, '');
  if (value.length === 0) throw invalidCredentials(`secret file ${path} is empty`);
  return value;
}

/**
 * Validates a `{ [host]: credential }` object and resolves `passwordFile` / `tokenFile`
 * secrets. Throws INVALID_ARGUMENT (with the zod issues in `cause`) on malformed input.
 */
export function loadCredentials(
  input: unknown,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): RegistryCredentials {
  const parsed = credentialsInputSchema.safeParse(input);
  if (!parsed.success) throw invalidCredentials('invalid registry credentials configuration', parsed.error);
  const result: RegistryCredentials = {};
  for (const [host, entry] of Object.entries(parsed.data)) {
    const key = normalizeRegistryHost(host);
    if ('token' in entry) result[key] = { token: entry.token };
    else if ('tokenFile' in entry) result[key] = { token: readSecret(entry.tokenFile, readFile) };
    else if ('password' in entry) result[key] = { username: entry.username, password: entry.password };
    else result[key] = { username: entry.username, password: readSecret(entry.passwordFile, readFile) };
  }
  return result;
}

const dockerAuthEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  registrytoken: z.string().optional(),
  identitytoken: z.string().optional(),
});
const dockerConfigSchema = z.looseObject({ auths: z.record(z.string(), dockerAuthEntrySchema).optional() });

/**
 * Reads the `auths` section of a Docker `config.json` (object or JSON text).
 * `auth` (base64 `user:password`), `username`/`password` and `registrytoken` are used;
 * entries holding only an `identitytoken` (an OAuth2 refresh token) or a credential helper are skipped.
 */
export function credentialsFromDockerConfig(config: unknown): RegistryCredentials {
  let value = config;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw invalidCredentials('Docker config is not valid JSON', error);
    }
  }
  const parsed = dockerConfigSchema.safeParse(value);
  if (!parsed.success) throw invalidCredentials('invalid Docker config.json', parsed.error);
  const result: RegistryCredentials = {};
  for (const [host, entry] of Object.entries(parsed.data.auths ?? {})) {
    const key = normalizeRegistryHost(host);
    if (entry.registrytoken) {
      result[key] = { token: entry.registrytoken };
    } else if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0)
        throw invalidCredentials(`Docker config auth for ${host} is not base64 "user:password"`);
      result[key] = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    } else if (entry.username && entry.password) {
      result[key] = { username: entry.username, password: entry.password };
    }
  }
  return result;
}

/** Reads a Docker `config.json` file (e.g. `~/.docker/config.json`, or a mounted `DOCKER_CONFIG` secret). */
export function readDockerConfig(
  path: string,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): RegistryCredentials {
  return credentialsFromDockerConfig(readSecret(path, readFile));
}

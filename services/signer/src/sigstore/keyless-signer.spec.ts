import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSignerError } from '../common/signer-error';
import { signerConfigSchema } from '../config/signer-config';
import { toSignCommand } from '../signing/sign.command';
import { KeylessSigner, keylessSettings } from './keyless-signer';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'ES256' })}.${b64url(claims)}.c2ln`;
const base = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/stella',
  natsUrl: 'nats://127.0.0.1:4222',
  httpPort: 7403,
};

describe('keyless signing settings and identity token', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-keyless-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Fulcio/Rekor URLs point at a closed loopback port: these refusals must happen before any call.
  const signer = (tokenFile: string) =>
    new KeylessSigner({
      fulcioUrl: 'http://127.0.0.1:9',
      rekorUrl: 'http://127.0.0.1:9',
      tokenFile,
      tlogUpload: true,
      timeoutMs: 1000,
    });

  test('off by default; enabling needs a token file', () => {
    const config = signerConfigSchema.parse(base);
    expect(config.signerSigstoreEnabled).toBe(false);
    expect(keylessSettings(config)).toBeUndefined();
    expect(signerConfigSchema.safeParse({ ...base, signerSigstoreEnabled: true }).success).toBe(false);
    const enabled = signerConfigSchema.parse({
      ...base,
      signerSigstoreEnabled: true,
      signerSigstoreOidcTokenFile: '/run/token',
    });
    expect(keylessSettings(enabled)).toEqual({
      fulcioUrl: 'https://fulcio.sigstore.dev',
      rekorUrl: 'https://rekor.sigstore.dev',
      tokenFile: '/run/token',
      tlogUpload: true,
      timeoutMs: 10_000,
    });
  });

  test('a keyless request names no key', () => {
    const request = { payloadType: 't', payload: 'eA==', purpose: 'p', keyless: true };
    expect(toSignCommand(request, 1024)).toMatchObject({ keyless: true });
    expect(() => toSignCommand({ ...request, keyId: 'k' }, 1024)).toThrow(/names no key/);
  });

  test.each([
    ['missing', undefined, /cannot be read \(ENOENT\)/],
    ['not a JWT', 'hello', /holds no JWT/],
    ['email not verified', jwt({ sub: 's', email: 'a@b.test' }), /not usable: JWT email not verified/],
  ])('token file %s: SIGSTORE_IDENTITY_UNAVAILABLE', async (name, content, message) => {
    const file = join(dir, name.replace(/ /g, '-'));
    if (content !== undefined) writeFileSync(file, content);
    const error: unknown = await signer(file)
      .sign('t', Buffer.from('x'))
      .catch((e: unknown) => e);
    expect(isSignerError(error, 'SIGSTORE_IDENTITY_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/eyJ/);
  });
});

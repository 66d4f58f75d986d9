import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preAuthEncoding, publicKeyId, type DsseEnvelope } from '@stella/attest';
import type { ServiceApp } from '@stella/platform';
import {
  bootTestApp,
  createTestNatsPrefix,
  createTestTokenIssuer,
  TEST_TOKEN_ISSUER,
  type TestTokenIssuer,
  createTestSchema,
  type TestNatsPrefix,
  type TestSchema,
  migrateTestSchema,
  testServiceConfig,
} from '@stella/testing';
import { connect, headers, type NatsConnection, type Subscription } from 'nats';
import { createAttestorModule } from '../src/attestor.module';
import { attestorConfigSchema, type AttestorConfig } from '../src/config/attestor-config';
import { attestorMigrations } from '../src/migrations';

export const TEST_ISSUER = TEST_TOKEN_ISSUER;
export const SIGNER_TOKEN = `signer-token-${randomBytes(8).toString('hex')}`;

/** Attestor tests mint `attest:write attest:read` tokens by default. */
export function createTokenMinter(): TestTokenIssuer {
  return createTestTokenIssuer({ scope: 'attest:write attest:read' });
}

export interface TestPki {
  caPem: string;
  leafPem: string;
  leafKey: KeyObject;
  /** A second CA and leaf the attestor does not trust. */
  strangerLeafPem: string;
  strangerLeafKey: KeyObject;
}

/**
 * A signer-like PKI made with the openssl CLI: an independent X.509 implementation, so the
 * attestor's chain checks are not tested against the signer's own certificate code.
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'stella-attestor-pki-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    const ext = join(dir, 'ca.ext');
    writeFileSync(ext, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    const makeCa = (name: string) => {
      run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
      run([
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-subj',
        `/O=Stella Ops/CN=${name}`,
        '-days',
        '30',
        '-out',
        `${name}.pem`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]);
    };
    const makeLeaf = (name: string, ca: string) => {
      run(['genpkey', '-algorithm', 'ed25519', '-out', `${name}.key`]);
      run(['req', '-new', '-key', `${name}.key`, '-subj', `/O=Stella Ops/CN=${name}`, '-out', `${name}.csr`]);
      run([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-days',
        '10',
        '-out',
        `${name}.pem`,
      ]);
    };
    makeCa('ca');
    makeCa('stranger-ca');
    makeLeaf('leaf', 'ca');
    makeLeaf('stranger', 'stranger-ca');
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return {
      caPem: read('ca.pem'),
      leafPem: read('leaf.pem'),
      leafKey: createPrivateKey(read('leaf.key')),
      strangerLeafPem: read('stranger.pem'),
      strangerLeafKey: createPrivateKey(read('stranger.key')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function signWith(
  key: KeyObject,
  payload: Buffer,
  payloadType = 'application/vnd.in-toto+json',
): DsseEnvelope {
  const sig = sign(null, preAuthEncoding(payloadType, payload), key).toString('base64');
  return { payload: payload.toString('base64'), payloadType, signatures: [{ keyid: publicKeyId(key), sig }] };
}

/**
 * Stands in for the signer on NATS (`<prefix>.signer.sign`, the signer's wire protocol), signing
 * with the test PKI's leaf. `failNext` makes the next requests fail, to force redeliveries.
 */
export class FakeSigner {
  requests = 0;
  failNext = 0;
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly pki: TestPki,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(`${this.prefix}.signer.sign`, {
      callback: (_error, msg) => {
        this.requests += 1;
        const h = headers();
        const reply = (body: unknown) => msg.respond(Buffer.from(JSON.stringify(body)), { headers: h });
        if (msg.headers?.get('Authorization') !== `Bearer ${SIGNER_TOKEN}`) {
          reply({ ok: false, error: { code: 'BAD_SIGNATURE', message: 'unknown token', status: 401 } });
          return;
        }
        if (this.failNext > 0) {
          this.failNext -= 1;
          reply({ ok: false, error: { code: 'NO_ACTIVE_KEY', message: 'injected failure', status: 503 } });
          return;
        }
        const request = JSON.parse(Buffer.from(msg.data).toString('utf8')) as {
          payloadType: string;
          payload: string;
        };
        const envelope = signWith(
          this.pki.leafKey,
          Buffer.from(request.payload, 'base64'),
          request.payloadType,
        );
        reply({
          ok: true,
          result: {
            keyId: envelope.signatures[0]!.keyid,
            envelope,
            certificateChain: [this.pki.leafPem, this.pki.caPem],
            signedAt: new Date().toISOString(),
          },
        });
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }
}

export interface AttestorHarness {
  svc: ServiceApp;
  url: string;
  config: AttestorConfig;
  schema: TestSchema;
  nats: TestNatsPrefix;
  nc: NatsConnection;
  pki: TestPki;
  signer: FakeSigner;
  tokens: ReturnType<typeof createTokenMinter>;
  close(): Promise<void>;
}

export async function startAttestor(overrides: Partial<AttestorConfig> = {}): Promise<AttestorHarness> {
  const schema = await createTestSchema('attestor');
  const nats = createTestNatsPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'stella-attestor-'));
  const tokens = createTokenMinter();
  const pki = createTestPki();
  const config = attestorConfigSchema.parse({
    ...testServiceConfig(schema, nats),
    attestorDataDir: dataDir,
    attestorSignerCa: pki.caPem,
    attestorLogOrigin: 'attestor.test/log',
    ...overrides,
  });
  await migrateTestSchema(schema, attestorMigrations, 'stella-attestor-test-migrate');
  const nc = await connect({ servers: nats.servers });
  const signer = new FakeSigner(nc, nats.prefix, pki);
  signer.start();
  const svc = await bootTestApp({
    service: 'attestor',
    module: createAttestorModule({
      verifier: tokens.verifier,
      signerTokens: { getToken: () => Promise.resolve(SIGNER_TOKEN) },
    }),
    config,
  });
  return {
    svc,
    url: svc.url,
    config,
    schema,
    nats,
    nc,
    pki,
    signer,
    tokens,
    async close() {
      await svc.close();
      signer.stop();
      await nats.cleanup();
      await nc.close();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Loopback stand-ins for Sigstore's public services (Fulcio, Rekor), which this machine cannot
// reach: the only stand-ins the signer's tests use. They implement the real API shapes the
// `@sigstore/sign` client calls and do real cryptography, so what the signer returns verifies with
// `@sigstore/verify` against a trust root built from their keys.
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalize } from '@stella/canonical';
import { inclusionProof, leafHash, MemoryNodeStore } from '@stella/tlog';
import { importJWK, jwtVerify, SignJWT, exportJWK, type JWK } from 'jose';
import forge from 'node-forge';
import { issueCertificate, keyIdentifier } from '../src/ca/x509';

const { asn1 } = forge;
const { Class, Type } = asn1;
const bin = (bytes: Buffer): string => bytes.toString('binary');
const der = (node: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const seq = (items: forge.asn1.Asn1[]) => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
const oid = (value: string) => asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(value).getBytes());
const utf8 = (value: string) => asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(value));
const extension = (id: string, critical: boolean, value: forge.asn1.Asn1 | string) =>
  seq([
    oid(id),
    ...(critical ? [asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, String.fromCharCode(0xff))] : []),
    asn1.create(
      Class.UNIVERSAL,
      Type.OCTETSTRING,
      false,
      typeof value === 'string' ? value : asn1.toDer(value).getBytes(),
    ),
  ]);
const pemOf = (bytes: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${bytes
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
const derOfPem = (pem: string) =>
  Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');

const FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A test OIDC issuer: ES256 identity tokens with `aud: sigstore`, verified by the Fulcio stand-in. */
export class TestOidcIssuer {
  readonly issuer = 'https://oidc.test.stella.invalid';
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  async token(claims: { email?: string; sub?: string }, ttlSec = 600): Promise<string> {
    return new SignJWT({ ...(claims.email ? { email: claims.email, email_verified: true } : {}) })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(this.issuer)
      .setAudience('sigstore')
      .setSubject(claims.sub ?? claims.email ?? 'unknown')
      .setIssuedAt()
      .setExpirationTime(`${ttlSec}s`)
      .sign(this.keys.privateKey);
  }

  async publicJwk(): Promise<JWK> {
    return exportJWK(this.keys.publicKey);
  }
}

/** Fulcio v2 stand-in: `POST /api/v2/signingCert` certifies the submitted key for the token's identity. */
export class FulcioStandIn {
  readonly rootKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly rootPem: string;
  readonly requests: unknown[] = [];
  private readonly server: Server;
  url = '';

  constructor(private readonly oidc: TestOidcIssuer) {
    const now = Date.now();
    const dn = { commonName: 'sigstore-test', organization: 'sigstore.test' };
    this.rootPem = issueCertificate({
      subject: dn,
      issuer: dn,
      subjectPublicKey: this.rootKeys.publicKey,
      issuerPrivateKey: this.rootKeys.privateKey,
      issuerPublicKey: this.rootKeys.publicKey,
      notBefore: new Date(now - 3600_000),
      notAfter: new Date(now + 365 * 86400_000),
      isCa: true,
    });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { code: 500, message: String(error) }));
    });
  }

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/api/v2/signingCert') {
      send(res, 404, { code: 404, message: 'not found' });
      return;
    }
    const body = (await readJson(req)) as {
      credentials?: { oidcIdentityToken?: string };
      publicKeyRequest?: { publicKey?: { algorithm?: string; content?: string }; proofOfPossession?: string };
    };
    this.requests.push(body);
    const token = body.credentials?.oidcIdentityToken ?? '';
    let claims: { iss?: string; sub?: string; email?: string; email_verified?: boolean };
    try {
      const key = await importJWK(await this.oidc.publicJwk(), 'ES256');
      ({ payload: claims } = await jwtVerify(token, key, { issuer: this.oidc.issuer, audience: 'sigstore' }));
    } catch (error) {
      send(res, 401, { code: 401, message: `invalid identity token: ${String(error)}` });
      return;
    }
    const identity = claims.email && claims.email_verified ? claims.email : claims.sub!;
    const publicKey = createPublicKey(body.publicKeyRequest?.publicKey?.content ?? '');
    const pop = Buffer.from(body.publicKeyRequest?.proofOfPossession ?? '', 'base64');
    if (!cryptoVerify('sha256', Buffer.from(identity), publicKey, pop)) {
      send(res, 400, { code: 400, message: 'proof of possession does not verify' });
      return;
    }
    const leaf = this.issueLeaf(publicKey, identity, claims.email !== undefined, claims.iss!);
    send(res, 201, { signedCertificateEmbeddedSct: { chain: { certificates: [leaf, this.rootPem] } } });
  }

  /** The root's subject Name, as the leaf's issuer (byte for byte). */
  private rootSubject(): forge.asn1.Asn1 {
    const root = asn1.fromDer(bin(derOfPem(this.rootPem)));
    const tbs = (root.value as forge.asn1.Asn1[])[0]!;
    return (tbs.value as forge.asn1.Asn1[])[5]!;
  }

  /** A Fulcio-style leaf: empty subject, SAN = the identity, the OIDC issuer extensions, 10 minutes. */
  private issueLeaf(publicKey: KeyObject, identity: string, isEmail: boolean, issuer: string): string {
    const now = Date.now();
    const time = (ms: number) =>
      asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(new Date(ms)));
    const keyId = keyIdentifier;
    const san = seq([asn1.create(Class.CONTEXT_SPECIFIC, isEmail ? 1 : 6, false, identity)]);
    const serial = randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const tbs = seq([
      asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
        asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(2)),
      ]),
      asn1.create(Class.UNIVERSAL, Type.INTEGER, false, bin(serial)),
      seq([oid('1.2.840.10045.4.3.2')]),
      this.rootSubject(),
      seq([time(now - 1000), time(now + 10 * 60_000)]),
      seq([]),
      asn1.fromDer(bin(publicKey.export({ format: 'der', type: 'spki' }))),
      asn1.create(Class.CONTEXT_SPECIFIC, 3, true, [
        seq([
          extension(
            '2.5.29.15',
            true,
            asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, bin(Buffer.from([0x07, 0x80]))),
          ),
          extension('2.5.29.37', false, seq([oid('1.3.6.1.5.5.7.3.3')])),
          extension(
            '2.5.29.14',
            false,
            asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bin(keyId(publicKey))),
          ),
          extension(
            '2.5.29.35',
            false,
            seq([asn1.create(Class.CONTEXT_SPECIFIC, 0, false, bin(keyId(this.rootKeys.publicKey)))]),
          ),
          extension('2.5.29.17', true, san),
          extension(FULCIO_ISSUER_V1, false, forge.util.encodeUtf8(issuer)),
          extension(FULCIO_ISSUER_V2, false, utf8(issuer)),
        ]),
      ]),
    ]);
    const signature = cryptoSign('sha256', der(tbs), this.rootKeys.privateKey);
    return pemOf(
      der(
        seq([
          tbs,
          seq([oid('1.2.840.10045.4.3.2')]),
          asn1.create(
            Class.UNIVERSAL,
            Type.BITSTRING,
            false,
            bin(Buffer.concat([Buffer.from([0]), signature])),
          ),
        ]),
      ),
    );
  }
}

interface ProposedDsseEntry {
  apiVersion?: string;
  kind?: string;
  spec?: { proposedContent?: { envelope?: string; verifiers?: string[] } };
}

/**
 * Rekor v1 stand-in: `POST /api/v1/log/entries` for `dsse` 0.0.1 entries. It checks the envelope's
 * signature with the submitted certificate (as Rekor does), appends the canonical entry body to a
 * real RFC 6962 tree (libs/tlog), and answers with a signed entry timestamp, an inclusion proof
 * and a signed checkpoint, all with an ECDSA P-256 log key.
 */
export class RekorStandIn {
  readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly tree = new MemoryNodeStore();
  readonly bodies: Buffer[] = [];
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { code: 500, message: String(error) }));
    });
  }

  /** Rekor's log id: SHA-256 of the log key's SPKI DER. */
  get logId(): Buffer {
    return createHash('sha256')
      .update(this.keys.publicKey.export({ format: 'der', type: 'spki' }))
      .digest();
  }

  get origin(): string {
    return new URL(this.url).host;
  }

  async start(): Promise<this> {
    this.url = await listen(this.server);
    // A log with history: the signer's entry is not alone in the tree.
    for (let i = 0; i < 5; i += 1) this.append(Buffer.from(`earlier entry ${i}`));
    return this;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private append(body: Buffer): number {
    this.bodies.push(body);
    this.tree.append([leafHash(body)]);
    return this.tree.size - 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/api/v1/log/entries') {
      send(res, 404, { code: 404, message: 'not found' });
      return;
    }
    const proposed = (await readJson(req)) as ProposedDsseEntry;
    const content = proposed.spec?.proposedContent;
    if (
      proposed.kind !== 'dsse' ||
      proposed.apiVersion !== '0.0.1' ||
      !content?.envelope ||
      !content.verifiers
    ) {
      send(res, 400, { code: 400, message: 'only dsse 0.0.1 entries are supported' });
      return;
    }
    const envelope = JSON.parse(content.envelope) as {
      payload: string;
      payloadType: string;
      signatures: Array<{ sig: string }>;
    };
    const verifierPem = Buffer.from(content.verifiers[0]!, 'base64').toString('utf8');
    const payload = Buffer.from(envelope.payload, 'base64');
    const signature = envelope.signatures[0]?.sig ?? '';
    const typeBytes = Buffer.from(envelope.payloadType, 'utf8');
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${typeBytes.length} `),
      typeBytes,
      Buffer.from(` ${payload.length} `),
      payload,
    ]);
    const certKey = createPublicKey(verifierPem);
    if (!cryptoVerify('sha256', pae, certKey, Buffer.from(signature, 'base64'))) {
      send(res, 400, { code: 400, message: 'envelope signature does not verify with the verifier' });
      return;
    }
    const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
    const body = Buffer.from(
      canonicalize({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(content.envelope) },
          payloadHash: { algorithm: 'sha256', value: sha256(payload) },
          signatures: [{ signature, verifier: content.verifiers[0] }],
        },
      }),
      'utf8',
    );
    const logIndex = this.append(body);
    const treeSize = this.tree.size;
    const root = this.tree.root();
    const integratedTime = Math.floor(Date.now() / 1000);
    const logID = this.logId.toString('hex');
    const set = cryptoSign(
      'sha256',
      Buffer.from(canonicalize({ body: body.toString('base64'), integratedTime, logIndex, logID })),
      this.keys.privateKey,
    );
    const note = `${this.origin} - stella-test-log\n${treeSize}\n${root.toString('base64')}\n`;
    const noteSig = cryptoSign('sha256', Buffer.from(note), this.keys.privateKey);
    const checkpoint = `${note}\n\u2014 ${this.origin} ${Buffer.concat([this.logId.subarray(0, 4), noteSig]).toString('base64')}\n`;
    const hashes = await inclusionProof(this.tree, logIndex, treeSize);
    const uuid = createHash('sha256').update(body).digest('hex');
    send(res, 201, {
      [uuid]: {
        body: body.toString('base64'),
        integratedTime,
        logID,
        logIndex,
        verification: {
          signedEntryTimestamp: set.toString('base64'),
          inclusionProof: {
            checkpoint,
            hashes: hashes.map((h) => h.toString('hex')),
            logIndex,
            rootHash: root.toString('hex'),
            treeSize,
          },
        },
      },
    });
  }
}

/** A Sigstore trusted root (JSON form) holding the stand-ins' CA and log key. */
export function testTrustedRoot(fulcio: FulcioStandIn, rekor: RekorStandIn): Record<string, unknown> {
  const start = new Date(Date.now() - 86400_000).toISOString();
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: rekor.url,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: rekor.keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: rekor.logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.test', commonName: 'sigstore-test' },
        uri: fulcio.url,
        certChain: { certificates: [{ rawBytes: derOfPem(fulcio.rootPem).toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  };
}

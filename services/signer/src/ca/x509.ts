import { createHash, randomBytes, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

// node-forge's certificate builder only handles RSA subject keys; Stella's keys are Ed25519 and
// P-256. So the certificate is assembled with forge's ASN.1/DER encoder around the SPKI Node
// exports, and the TBS bytes are signed with Node's crypto (ECDSA P-256 CA key).
const { asn1 } = forge;
const { Class, Type } = asn1;

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

export interface DistinguishedName {
  commonName: string;
  organization: string;
}

export interface CertificateRequest {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  subjectPublicKey: KeyObject;
  /** The issuer's P-256 private key (the subject's own for a self-signed root). */
  issuerPrivateKey: KeyObject;
  issuerPublicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
}

const bin = (bytes: Buffer): string => bytes.toString('binary');
const der = (node: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

function seq(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

function oid(value: string): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(value).getBytes());
}

function name(dn: DistinguishedName): forge.asn1.Asn1 {
  const rdn = (type: string, value: string) =>
    asn1.create(Class.UNIVERSAL, Type.SET, true, [
      seq([oid(type), asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(value))]),
    ]);
  return seq([rdn(OID.organization, dn.organization), rdn(OID.commonName, dn.commonName)]);
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function extension(id: string, critical: boolean, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([
    oid(id),
    ...(critical ? [asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, String.fromCharCode(0xff))] : []),
    asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}

/** Key identifier: the first 20 bytes of SHA-256 over the SPKI (RFC 7093 method 1 style). */
export function keyIdentifier(key: KeyObject): Buffer {
  return createHash('sha256').update(spkiDer(key)).digest().subarray(0, 20);
}

function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  return serial;
}

/** Builds and signs an X.509 v3 certificate; returns PEM. */
export function issueCertificate(request: CertificateRequest): string {
  const algorithm = seq([oid(OID.ecdsaWithSha256)]);
  const keyUsage = request.isCa
    ? asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, bin(Buffer.from([0x01, 0x06]))) // keyCertSign, cRLSign
    : asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, bin(Buffer.from([0x07, 0x80]))); // digitalSignature
  const basicConstraints = request.isCa
    ? seq([
        asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, String.fromCharCode(0xff)),
        asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(0)),
      ])
    : seq([]);
  const extensions = [
    extension(OID.basicConstraints, true, basicConstraints),
    extension(OID.keyUsage, true, keyUsage),
    ...(request.isCa ? [] : [extension(OID.extKeyUsage, false, seq([oid(OID.codeSigning)]))]),
    extension(
      OID.subjectKeyIdentifier,
      false,
      asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bin(keyIdentifier(request.subjectPublicKey))),
    ),
    extension(
      OID.authorityKeyIdentifier,
      false,
      seq([asn1.create(Class.CONTEXT_SPECIFIC, 0, false, bin(keyIdentifier(request.issuerPublicKey)))]),
    ),
  ];
  const tbs = seq([
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(2)),
    ]),
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, bin(serialNumber())),
    algorithm,
    name(request.issuer),
    seq([time(request.notBefore), time(request.notAfter)]),
    name(request.subject),
    asn1.fromDer(bin(spkiDer(request.subjectPublicKey))),
    asn1.create(Class.CONTEXT_SPECIFIC, 3, true, [seq(extensions)]),
  ]);
  const signature = cryptoSign('sha256', der(tbs), request.issuerPrivateKey);
  const certificate = seq([
    tbs,
    seq([oid(OID.ecdsaWithSha256)]),
    asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, bin(Buffer.concat([Buffer.from([0]), signature]))),
  ]);
  const body = der(certificate)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

// The chain check is shared with the attestor and the offline verifier: it lives in libs/attest.
export { chainProblemsAt, type ChainProblem } from '@stella/attest';

export function certificateSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/**
 * ECDSA P-256 signatures come in two encodings: ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }`
 * (what OpenSSL, cosign, sigstore-js and securesystemslib produce and expect) and IEEE P1363
 * fixed-width `r || s` (WebCrypto, some HSM/KMS APIs, the DSSE spec's own test vector).
 * Envelopes produced here always carry DER; these helpers convert at the edges.
 */
const P256_SCALAR_BYTES = 32;
export const P1363_P256_SIGNATURE_BYTES = 2 * P256_SCALAR_BYTES;

/** Strictly parses a DER ECDSA signature into fixed-width r||s, or undefined if not valid DER. */
export function derToP1363(der: Uint8Array, scalarBytes = P256_SCALAR_BYTES): Buffer | undefined {
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  // P-256 signatures are at most 72 bytes, so the sequence length always fits the short form.
  const sequenceLength = der[1];
  if (sequenceLength === undefined || sequenceLength >= 0x80 || sequenceLength !== der.length - 2)
    return undefined;
  const r = readDerInteger(der, 2);
  if (!r) return undefined;
  const s = readDerInteger(der, r.next);
  if (!s || s.next !== der.length) return undefined;
  const out = Buffer.alloc(2 * scalarBytes);
  if (!placeScalar(r.value, out, 0, scalarBytes) || !placeScalar(s.value, out, scalarBytes, scalarBytes))
    return undefined;
  return out;
}

/** Encodes fixed-width r||s as minimal DER. */
export function p1363ToDer(signature: Uint8Array): Buffer {
  if (signature.length === 0 || signature.length % 2 !== 0) {
    throw new RangeError(`IEEE P1363 signature must have an even, non-zero length, got ${signature.length}`);
  }
  const half = signature.length / 2;
  const r = derInteger(signature.subarray(0, half));
  const s = derInteger(signature.subarray(half));
  const body = Buffer.concat([r, s]);
  if (body.length >= 0x80) throw new RangeError('signature too long for short-form DER');
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function readDerInteger(der: Uint8Array, offset: number): { value: Uint8Array; next: number } | undefined {
  if (der[offset] !== 0x02) return undefined;
  const length = der[offset + 1];
  if (length === undefined || length === 0 || length >= 0x80) return undefined;
  const start = offset + 2;
  const end = start + length;
  if (end > der.length) return undefined;
  const value = der.subarray(start, end);
  // DER integers are minimal and these ones are positive: a leading 0x00 only before a high bit.
  if (value[0]! & 0x80) return undefined;
  if (value.length > 1 && value[0] === 0 && !(value[1]! & 0x80)) return undefined;
  return { value, next: end };
}

function placeScalar(value: Uint8Array, out: Buffer, offset: number, width: number): boolean {
  const trimmed = value[0] === 0 ? value.subarray(1) : value;
  if (trimmed.length > width) return false;
  out.set(trimmed, offset + width - trimmed.length);
  return true;
}

function derInteger(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const magnitude = unsigned.subarray(start);
  const needsPad = (magnitude[0]! & 0x80) !== 0;
  const length = magnitude.length + (needsPad ? 1 : 0);
  return Buffer.concat([Buffer.from(needsPad ? [0x02, length, 0x00] : [0x02, length]), magnitude]);
}

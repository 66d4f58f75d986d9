const SPACE = 0x20;
const PREFIX = Buffer.from('DSSEv1', 'ascii');

/**
 * DSSE v1 Pre-Authentication Encoding:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths being the ASCII decimal byte
 * lengths (UTF-8 for the type) without leading zeros. This is the exact byte string every DSSE
 * signature covers, so payloadType is authenticated together with the body.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const typeLength = Buffer.from(String(type.byteLength), 'ascii');
  const bodyLength = Buffer.from(String(payload.byteLength), 'ascii');
  const out = Buffer.allocUnsafe(
    PREFIX.byteLength +
      1 +
      typeLength.byteLength +
      1 +
      type.byteLength +
      1 +
      bodyLength.byteLength +
      1 +
      payload.byteLength,
  );
  let offset = PREFIX.copy(out, 0);
  out[offset++] = SPACE;
  offset += typeLength.copy(out, offset);
  out[offset++] = SPACE;
  offset += type.copy(out, offset);
  out[offset++] = SPACE;
  offset += bodyLength.copy(out, offset);
  out[offset++] = SPACE;
  out.set(payload, offset);
  return out;
}

/**
 * Strict base64 for DSSE. The spec lets signers use the standard or the URL-safe alphabet and
 * requires verifiers to accept both; Node's decoder, however, silently skips invalid characters,
 * so an input is accepted only if re-encoding the decoded bytes gives the input back. That rejects
 * stray characters, whitespace, mixed alphabets, wrong padding and non-zero trailing bits, so each
 * byte string has exactly one accepted encoding per alphabet.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const standardOnly = text.includes('+') || text.includes('/');
  if (standardOnly) {
    if (text.length % 4 !== 0) return undefined;
    const bytes = Buffer.from(text, 'base64');
    return bytes.toString('base64') === text ? bytes : undefined;
  }
  // Only characters common to both alphabets, or URL-safe ones: URL-safe base64 is commonly
  // unpadded, so padding is optional here, but if present it must be exact.
  const unpadded = text.replace(/={1,2}$/, '');
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(unpadded, 'base64url');
  return bytes.toString('base64url') === unpadded ? bytes : undefined;
}

/** Standard alphabet with padding: what this library always emits. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decoded size of a base64 text of `length` characters, an upper bound used before decoding. */
export function maxDecodedLength(length: number): number {
  return Math.ceil(length / 4) * 3;
}

import { createHash, type Hash } from 'node:crypto';
import { OciError } from './errors';

/** Algorithms registered by the OCI image spec, with the exact hex length each must have. */
const DIGEST_HEX_LENGTH = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof DIGEST_HEX_LENGTH;

/** Generic digest grammar from distribution/reference; the algorithm and length checks come after. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Validates `algorithm:hex` (sha256 with 64 lowercase hex, sha512 with 128); throws INVALID_REFERENCE. */
export function parseDigest(digest: string): ParsedDigest {
  if (typeof digest !== 'string' || !DIGEST_GRAMMAR.test(digest)) {
    throw new OciError('INVALID_REFERENCE', `invalid digest format: ${String(digest)}`, {
      details: { digest },
    });
  }
  const separator = digest.indexOf(':');
  const algorithm = digest.slice(0, separator);
  const hex = digest.slice(separator + 1);
  if (!(algorithm in DIGEST_HEX_LENGTH)) {
    throw new OciError('INVALID_REFERENCE', `unsupported digest algorithm: ${algorithm}`, {
      details: { digest },
    });
  }
  const expectedLength = DIGEST_HEX_LENGTH[algorithm as DigestAlgorithm];
  if (hex.length !== expectedLength || !/^[a-f0-9]+$/.test(hex)) {
    throw new OciError(
      'INVALID_REFERENCE',
      `${algorithm} digest must be ${expectedLength} lowercase hex characters`,
      {
        details: { digest },
      },
    );
  }
  return { algorithm: algorithm as DigestAlgorithm, hex };
}

export function isDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Hashes `data` with the algorithm of `expected` and returns the computed digest in the same algorithm. */
export function digestOf(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Incremental hasher for streamed blobs. */
export class DigestVerifier {
  private readonly hash: Hash;
  private readonly expected: ParsedDigest;
  bytes = 0;

  constructor(readonly expectedDigest: string) {
    this.expected = parseDigest(expectedDigest);
    this.hash = createHash(this.expected.algorithm);
  }

  update(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
  }

  /** Returns the computed digest; throws DIGEST_MISMATCH (tamper) when it differs from the expected one. */
  verify(details: Record<string, unknown> = {}): string {
    const actual = `${this.expected.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expectedDigest) {
      throw digestMismatch(this.expectedDigest, actual, details);
    }
    return actual;
  }
}

export function digestMismatch(
  expected: string,
  actual: string,
  details: Record<string, unknown> = {},
): OciError<'DIGEST_MISMATCH'> {
  return new OciError('DIGEST_MISMATCH', `content hashes to ${actual}, expected ${expected}`, {
    tamper: true,
    details: { ...details, expected, actual },
  });
}

/** Verifies in-memory content against a digest of any supported algorithm. */
export function verifyDigest(
  data: Uint8Array,
  expected: string,
  details: Record<string, unknown> = {},
): void {
  const verifier = new DigestVerifier(expected);
  verifier.update(data);
  verifier.verify(details);
}

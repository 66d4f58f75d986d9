import { createHash } from 'node:crypto';
import { TlogError } from './errors';

/** SHA-256 output size; every leaf and node hash of the tree has this length. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 6962 section 2.1: the root of the empty tree is the hash of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** RFC 6962 leaf hash: SHA-256(0x00 || data). The prefix keeps leaves and nodes apart (second preimages). */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  assertHash(left, 'left');
  assertHash(right, 'right');
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

export function assertHash(value: Uint8Array, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new TlogError('INVALID_ARGUMENT', `${what} must be a ${HASH_SIZE}-byte hash`, { what });
  }
}

/**
 * MTH(D[n]) computed directly from leaf hashes (RFC 6962 section 2.1), O(n) memory. The reference
 * the stored-tree code is checked against, and what a verifier uses for small lists.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return Buffer.from(EMPTY_ROOT);
  let level: Buffer[] = leafHashes.map((hash, index) => {
    assertHash(hash, `leafHashes[${index}]`);
    return Buffer.from(hash);
  });
  // Pairing left to right and carrying an odd last node up unchanged gives exactly MTH's
  // "largest power of two smaller than n" split.
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

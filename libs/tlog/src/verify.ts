import { assertHash, nodeHash } from './hashing';
import { TlogError } from './errors';
import { checkIndex } from './validation';

/** Proofs longer than this cannot belong to a tree of at most 2^53 leaves. */
const MAX_PROOF_LENGTH = 64;

function checkProof(proof: readonly Uint8Array[], what: string): void {
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) {
    throw new TlogError('INVALID_ARGUMENT', `${what} must be an array of at most ${MAX_PROOF_LENGTH} hashes`);
  }
  proof.forEach((hash, i) => assertHash(hash, `${what}[${i}]`));
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root an inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1-5 without the final
 * comparison). Throws PROOF_INVALID when the proof has the wrong length for (index, size).
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer {
  checkIndex(index, 'index');
  checkIndex(size, 'size');
  assertHash(leafHash, 'leafHash');
  checkProof(proof, 'proof');
  if (index >= size) {
    throw new TlogError('PROOF_INVALID', `leaf index ${index} is not below tree size ${size}`, {
      index,
      size,
    });
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) throw new TlogError('PROOF_INVALID', 'inclusion proof is too long', { index, size });
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new TlogError('PROOF_INVALID', 'inclusion proof is too short', { index, size });
  return r;
}

/** Checks that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  assertHash(root, 'root');
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  if (!computed.equals(root)) {
    throw new TlogError('PROOF_INVALID', 'inclusion proof does not lead to the root', {
      index,
      size,
      computedRoot: computed.toString('hex'),
    });
  }
}

/**
 * Checks that the tree of `toSize` leaves with `toRoot` extends the tree of `fromSize` leaves with
 * `fromRoot` (RFC 9162 section 2.1.4.2). Sizes must satisfy 1 <= fromSize <= toSize; equal sizes
 * need an empty proof and equal roots.
 */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): void {
  checkIndex(fromSize, 'from');
  checkIndex(toSize, 'to');
  assertHash(fromRoot, 'fromRoot');
  assertHash(toRoot, 'toRoot');
  checkProof(proof, 'proof');
  const details = { from: fromSize, to: toSize };
  if (fromSize < 1 || fromSize > toSize) {
    throw new TlogError(
      'PROOF_INVALID',
      `consistency needs 1 <= from <= to (from ${fromSize}, to ${toSize})`,
      details,
    );
  }
  if (fromSize === toSize) {
    if (proof.length !== 0)
      throw new TlogError('PROOF_INVALID', 'proof between equal sizes must be empty', details);
    if (!Buffer.from(fromRoot).equals(toRoot)) {
      throw new TlogError('PROOF_INVALID', 'roots of equal-size trees differ', details);
    }
    return;
  }
  if (proof.length === 0) throw new TlogError('PROOF_INVALID', 'consistency proof is empty', details);
  // Step 2: when the old tree is a perfect subtree, its root is the proof's implicit first node.
  const path: Uint8Array[] = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) throw new TlogError('PROOF_INVALID', 'consistency proof is too long', details);
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new TlogError('PROOF_INVALID', 'consistency proof is too short', details);
  if (!fr.equals(fromRoot))
    throw new TlogError('PROOF_INVALID', 'consistency proof does not lead to the old root', details);
  if (!sr.equals(toRoot))
    throw new TlogError('PROOF_INVALID', 'consistency proof does not lead to the new root', details);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

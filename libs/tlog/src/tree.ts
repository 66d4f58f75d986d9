import { assertHash, EMPTY_ROOT, nodeHash } from './hashing';
import { TlogError } from './errors';
import { checkIndex } from './validation';

/**
 * A perfect subtree of the log: the node at `level` and position `index` covers leaves
 * [index * 2^level, (index + 1) * 2^level). Level 0 nodes are leaf hashes. Once complete such a
 * node never changes, which is what lets a store keep them and serve proofs in O(log n) reads.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Buffer;
}

/**
 * The storage port: the attestor implements it over Postgres, tests and benchmarks in memory.
 * `readNodes` answers in the order asked; `undefined` for a node it does not hold.
 */
export interface NodeReader {
  readNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]>;
}

/** The compact state needed to append: the tree size and the hashes of `frontierIds(size)`. */
export interface TreeState {
  readonly size: number;
  readonly frontier: readonly Buffer[];
}

export interface AppendResult {
  readonly state: TreeState;
  readonly root: Buffer;
  /** Every node completed by the append (the new leaves included), to be stored. */
  readonly nodes: readonly StoredNode[];
}

/** One proof element: the right fold of these perfect subtrees (a single node when perfect). */
export type ProofElementPlan = readonly NodeId[];

const pow2 = (level: number): number => 2 ** level;

/** Largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Decomposes the leaf range [start, end) into maximal aligned perfect subtrees, left to right.
 * For the ranges RFC 6962 proofs and roots use, their right fold is MTH(D[start:end]).
 */
export function perfectSubtrees(start: number, end: number): NodeId[] {
  const ids: NodeId[] = [];
  let position = start;
  while (position < end) {
    let level = 0;
    while (position % pow2(level + 1) === 0 && position + pow2(level + 1) <= end) level += 1;
    ids.push({ level, index: position / pow2(level) });
    position += pow2(level);
  }
  return ids;
}

/** The perfect subtrees whose right fold is the root of a tree of `size` leaves. */
export function frontierIds(size: number): NodeId[] {
  return perfectSubtrees(0, checkIndex(size, 'size'));
}

/** Folds hashes from the right: h0 . (h1 . (h2 ...)), as MTH joins a perfect left part with the rest. */
export function foldRight(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return Buffer.from(EMPTY_ROOT);
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i -= 1) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** The root of the tree whose frontier this is. */
export function rootOfState(state: TreeState): Buffer {
  return foldRight(state.frontier);
}

/** RFC 6962 PATH(m, D[n]) as the ranges of its elements, leaf-to-root order. */
function inclusionRanges(index: number, start: number, end: number, out: [number, number][]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (index - start < k) {
    inclusionRanges(index, start, start + k, out);
    out.push([start + k, end]);
  } else {
    inclusionRanges(index, start + k, end, out);
    out.push([start, start + k]);
  }
}

/** RFC 6962 SUBPROOF(m, D[start:end], b) as element ranges. */
function consistencyRanges(
  m: number,
  start: number,
  end: number,
  complete: boolean,
  out: [number, number][],
): void {
  const n = end - start;
  if (m === n) {
    if (!complete) out.push([start, end]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    consistencyRanges(m, start, start + k, complete, out);
    out.push([start + k, end]);
  } else {
    consistencyRanges(m - k, start + k, end, false, out);
    out.push([start, start + k]);
  }
}

/** The nodes an inclusion proof for leaf `index` in a tree of `size` leaves is made of. */
export function inclusionProofPlan(index: number, size: number): ProofElementPlan[] {
  checkIndex(index, 'index');
  checkIndex(size, 'size');
  if (index >= size) {
    throw new TlogError('OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, {
      index,
      size,
    });
  }
  const ranges: [number, number][] = [];
  inclusionRanges(index, 0, size, ranges);
  return ranges.map(([start, end]) => perfectSubtrees(start, end));
}

/** The nodes a consistency proof from `fromSize` to `toSize` is made of (RFC 6962 PROOF(m, D[n])). */
export function consistencyProofPlan(fromSize: number, toSize: number): ProofElementPlan[] {
  checkIndex(fromSize, 'from');
  checkIndex(toSize, 'to');
  if (fromSize < 1 || fromSize > toSize) {
    throw new TlogError(
      'OUT_OF_RANGE',
      `consistency needs 1 <= from <= to (from ${fromSize}, to ${toSize})`,
      {
        from: fromSize,
        to: toSize,
      },
    );
  }
  if (fromSize === toSize) return [];
  const ranges: [number, number][] = [];
  consistencyRanges(fromSize, 0, toSize, true, ranges);
  return ranges.map(([start, end]) => perfectSubtrees(start, end));
}

const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;

/** Reads every node of a plan with one `readNodes` call and folds each element. */
export async function resolvePlan(reader: NodeReader, plan: readonly ProofElementPlan[]): Promise<Buffer[]> {
  const unique = new Map<string, NodeId>();
  for (const element of plan) for (const id of element) unique.set(nodeKey(id), id);
  const ids = [...unique.values()];
  const hashes = ids.length > 0 ? await reader.readNodes(ids) : [];
  const byKey = new Map<string, Uint8Array>();
  ids.forEach((id, i) => {
    const hash = hashes[i];
    if (hash === undefined) {
      throw new TlogError('NODE_MISSING', `node store has no node at level ${id.level}, index ${id.index}`, {
        level: id.level,
        index: id.index,
      });
    }
    assertHash(hash, `node ${nodeKey(id)}`);
    byKey.set(nodeKey(id), hash);
  });
  return plan.map((element) => foldRight(element.map((id) => byKey.get(nodeKey(id))!)));
}

export async function inclusionProof(reader: NodeReader, index: number, size: number): Promise<Buffer[]> {
  return resolvePlan(reader, inclusionProofPlan(index, size));
}

export async function consistencyProof(
  reader: NodeReader,
  fromSize: number,
  toSize: number,
): Promise<Buffer[]> {
  return resolvePlan(reader, consistencyProofPlan(fromSize, toSize));
}

/** The frontier of a stored tree, i.e. what `appendLeaves` needs to continue it. */
export async function loadTreeState(reader: NodeReader, size: number): Promise<TreeState> {
  const ids = frontierIds(size);
  const frontier = await resolvePlan(
    reader,
    ids.map((id) => [id]),
  );
  return { size, frontier };
}

export async function treeRoot(reader: NodeReader, size: number): Promise<Buffer> {
  return rootOfState(await loadTreeState(reader, size));
}

export const EMPTY_TREE: TreeState = Object.freeze({
  size: 0,
  frontier: Object.freeze([]) as readonly Buffer[],
});

/**
 * Appends leaf hashes to a tree given only its frontier: returns the new frontier, the new root
 * and every node the append completed (each leaf, and each parent whose right child it finishes).
 * Pure: the caller persists `nodes` and `state` (atomically, so the stored tree never disagrees
 * with the checkpoint signed over it).
 */
export function appendLeaves(state: TreeState, leafHashes: readonly Uint8Array[]): AppendResult {
  checkIndex(state.size, 'state.size');
  const expected = frontierIds(state.size);
  if (expected.length !== state.frontier.length) {
    throw new TlogError(
      'INVALID_ARGUMENT',
      `a tree of ${state.size} leaves has ${expected.length} frontier nodes`,
      {
        size: state.size,
        frontierLength: state.frontier.length,
      },
    );
  }
  if (state.size + leafHashes.length > Number.MAX_SAFE_INTEGER) {
    throw new TlogError('OUT_OF_RANGE', 'the tree would exceed the largest supported size');
  }
  const stack: StoredNode[] = expected.map((id, i) => {
    const hash = state.frontier[i]!;
    assertHash(hash, `frontier[${i}]`);
    return { ...id, hash: Buffer.from(hash) };
  });
  const nodes: StoredNode[] = [];
  let size = state.size;
  for (const [i, leaf] of leafHashes.entries()) {
    assertHash(leaf, `leafHashes[${i}]`);
    let node: StoredNode = { level: 0, index: size, hash: Buffer.from(leaf) };
    nodes.push(node);
    size += 1;
    // Merge while the top of the stack is the left sibling of the node just completed.
    for (
      let top = stack[stack.length - 1];
      top !== undefined && top.level === node.level;
      top = stack[stack.length - 1]
    ) {
      stack.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      nodes.push(node);
    }
    stack.push(node);
  }
  const next: TreeState = { size, frontier: stack.map((n) => n.hash) };
  return { state: next, root: rootOfState(next), nodes };
}

import { createHash } from 'node:crypto';
import {
  appendLeaves,
  consistencyProof,
  EMPTY_ROOT,
  EMPTY_TREE,
  inclusionProof,
  inclusionProofPlan,
  isTlogError,
  leafHash,
  loadTreeState,
  MemoryNodeStore,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type NodeId,
  type NodeReader,
} from './index';

// The RFC 6962 test leaves and roots published with certificate-transparency / transparency-dev/merkle.
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY: { from: number; to: number; proof: string[] }[] = [
  { from: 1, to: 1, proof: [] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const hex = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));
const fromHex = (values: readonly string[]): Buffer[] => values.map((v) => Buffer.from(v, 'hex'));

// An independent reference: RFC 6962 section 2.1 written literally, recursive over leaf data.
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const refSplit = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));
function refMth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
  const k = refSplit(d.length);
  return sha(Buffer.from([1]), refMth(d.slice(0, k)), refMth(d.slice(k)));
}
function refPath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = refSplit(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refMth(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
}
function refSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [refMth(d)];
  const k = refSplit(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refMth(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refMth(d.slice(0, k))];
}

function storeOf(data: Buffer[], batch = 3): MemoryNodeStore {
  const store = new MemoryNodeStore();
  for (let i = 0; i < data.length; i += batch) store.append(data.slice(i, i + batch).map((d) => leafHash(d)));
  return store;
}

describe('RFC 6962 hashing', () => {
  test('leaf and node hashes use the 0x00 / 0x01 prefixes', () => {
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(ROOTS[1]);
    expect(nodeHash(leafHash(LEAVES[0]!), leafHash(LEAVES[1]!)).toString('hex')).toBe(ROOTS[2]);
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
  });

  test('merkleRoot and the stored tree give the published roots for every prefix of the test leaves', async () => {
    for (let size = 0; size <= LEAVES.length; size += 1) {
      const prefix = LEAVES.slice(0, size);
      expect(merkleRoot(prefix.map((d) => leafHash(d))).toString('hex')).toBe(ROOTS[size]);
      const store = storeOf(prefix, 1);
      expect(store.root().toString('hex')).toBe(ROOTS[size]);
    }
    const full = storeOf(LEAVES);
    for (let size = 0; size <= LEAVES.length; size += 1) {
      expect((await treeRoot(full, size)).toString('hex')).toBe(ROOTS[size]);
    }
  });

  test('node hashes refuse inputs that are not 32 bytes', () => {
    expect(() => nodeHash(Buffer.alloc(31), Buffer.alloc(32))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('inclusion proofs', () => {
  const store = storeOf(LEAVES);

  test.each(INCLUSION)(
    'PATH($index, D[$size]) matches the published vector and verifies',
    async ({ index, size, proof }) => {
      const got = await inclusionProof(store, index, size);
      expect(hex(got)).toEqual(proof);
      expect(() =>
        verifyInclusion(
          leafHash(LEAVES[index]!),
          index,
          size,
          fromHex(proof),
          Buffer.from(ROOTS[size]!, 'hex'),
        ),
      ).not.toThrow();
    },
  );

  test('every leaf of every tree up to 70 leaves: generation matches the reference, verification accepts', async () => {
    const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf-${i}`));
    const big = storeOf(data, 7);
    for (let size = 1; size <= data.length; size += 1) {
      const root = refMth(data.slice(0, size));
      for (let index = 0; index < size; index += 1) {
        const proof = await inclusionProof(big, index, size);
        expect(hex(proof)).toEqual(hex(refPath(index, data.slice(0, size))));
        expect(rootFromInclusionProof(leafHash(data[index]!), index, size, proof).equals(root)).toBe(true);
      }
    }
  });

  test('tampered proofs, wrong indices, wrong sizes and wrong leaves are refused', async () => {
    const root = Buffer.from(ROOTS[8]!, 'hex');
    const leaf = leafHash(LEAVES[5]!);
    const proof = await inclusionProof(store, 5, 8);
    const refused = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return isTlogError(error, 'PROOF_INVALID');
      }
      return false;
    };
    expect(refused(() => verifyInclusion(leaf, 4, 8, proof, root))).toBe(true);
    expect(refused(() => verifyInclusion(leaf, 5, 6, proof, root))).toBe(true);
    expect(refused(() => verifyInclusion(leafHash(LEAVES[4]!), 5, 8, proof, root))).toBe(true);
    expect(refused(() => verifyInclusion(leaf, 5, 8, proof.slice(0, 2), root))).toBe(true);
    expect(refused(() => verifyInclusion(leaf, 5, 8, [...proof, proof[0]!], root))).toBe(true);
    expect(refused(() => verifyInclusion(leaf, 8, 8, proof, root))).toBe(true);
    const flipped = proof.map((h) => Buffer.from(h));
    flipped[1]!.writeUInt8(flipped[1]!.readUInt8(0) ^ 1, 0);
    expect(refused(() => verifyInclusion(leaf, 5, 8, flipped, root))).toBe(true);
  });

  test('requests beyond the tree and non-integer arguments are refused with codes', async () => {
    await expect(inclusionProof(store, 8, 8)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    await expect(inclusionProof(store, 1.5, 8)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(inclusionProof(store, 0, 9)).rejects.toMatchObject({ code: 'NODE_MISSING' });
  });

  test('a proof costs O(log n) node reads, fetched in a single call', async () => {
    const reads: NodeId[][] = [];
    const counting: NodeReader = {
      readNodes: (ids) => {
        reads.push([...ids]);
        return store.readNodes(ids);
      },
    };
    await inclusionProof(counting, 3, 7);
    expect(reads).toHaveLength(1);
    const plan = inclusionProofPlan(123_456, 1_000_000);
    const nodes = plan.flat().length;
    expect(plan.length).toBeLessThanOrEqual(20);
    expect(nodes).toBeLessThanOrEqual(2 * 20);
  });
});

describe('consistency proofs', () => {
  const store = storeOf(LEAVES);

  test.each(CONSISTENCY)(
    'PROOF($from, D[$to]) matches the published vector and verifies',
    async ({ from, to, proof }) => {
      expect(hex(await consistencyProof(store, from, to))).toEqual(proof);
      expect(() =>
        verifyConsistency(
          from,
          to,
          fromHex(proof),
          Buffer.from(ROOTS[from]!, 'hex'),
          Buffer.from(ROOTS[to]!, 'hex'),
        ),
      ).not.toThrow();
    },
  );

  test('every pair of sizes up to 40 leaves: generation matches the reference, verification accepts', async () => {
    const data = Array.from({ length: 40 }, (_, i) => Buffer.from(`entry ${i}`));
    const big = storeOf(data, 5);
    const roots = Array.from({ length: 41 }, (_, n) => refMth(data.slice(0, n)));
    for (let to = 1; to <= data.length; to += 1) {
      for (let from = 1; from <= to; from += 1) {
        const proof = await consistencyProof(big, from, to);
        if (from < to) expect(hex(proof)).toEqual(hex(refSubproof(from, data.slice(0, to), true)));
        expect(() => verifyConsistency(from, to, proof, roots[from]!, roots[to]!)).not.toThrow();
      }
    }
  });

  test('a tampered proof, swapped roots or sizes are refused', async () => {
    const proof = await consistencyProof(store, 3, 7);
    const r3 = Buffer.from(ROOTS[3]!, 'hex');
    const r7 = Buffer.from(ROOTS[7]!, 'hex');
    expect(() => verifyConsistency(3, 7, proof, r7, r3)).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    expect(() => verifyConsistency(3, 6, proof, r3, Buffer.from(ROOTS[6]!, 'hex'))).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    expect(() => verifyConsistency(3, 7, [], r3, r7)).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    expect(() => verifyConsistency(3, 7, proof.slice(1), r3, r7)).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    const flipped = proof.map((h) => Buffer.from(h));
    flipped[0]!.writeUInt8(flipped[0]!.readUInt8(31) ^ 0x80, 31);
    expect(() => verifyConsistency(3, 7, flipped, r3, r7)).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    expect(() => verifyConsistency(0, 7, proof, r3, r7)).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    await expect(consistencyProof(store, 5, 4)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
  });
});

describe('appending from the frontier', () => {
  test('appending in batches from a loaded frontier equals one big append', async () => {
    const hashes = Array.from({ length: 100 }, (_, i) => leafHash(Buffer.from(String(i))));
    const whole = appendLeaves(EMPTY_TREE, hashes);
    const store = new MemoryNodeStore();
    store.append(hashes.slice(0, 37));
    const state = await loadTreeState(store, 37);
    const rest = appendLeaves(state, hashes.slice(37));
    expect(rest.root.equals(whole.root)).toBe(true);
    expect(rest.root.equals(merkleRoot(hashes))).toBe(true);
    // A tree of n leaves holds 2n - popcount(n) perfect subtrees (100 = 0b1100100).
    expect(whole.nodes).toHaveLength(2 * 100 - 3);
  });

  test('a frontier of the wrong length is refused', () => {
    expect(() => appendLeaves({ size: 3, frontier: [leafHash(Buffer.alloc(0))] }, [])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  test('the memory store refuses nodes written out of order', () => {
    const store = new MemoryNodeStore();
    expect(() => store.writeNodes([{ level: 0, index: 1, hash: leafHash(Buffer.alloc(0)) }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

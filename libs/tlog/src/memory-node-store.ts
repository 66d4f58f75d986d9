import { HASH_SIZE } from './hashing';
import {
  appendLeaves,
  EMPTY_TREE,
  rootOfState,
  type NodeId,
  type NodeReader,
  type StoredNode,
  type TreeState,
} from './tree';
import { TlogError } from './errors';

/**
 * An in-memory NodeStore: one growable buffer per level, node i of level L at offset 32 i, so a
 * million-leaf tree costs about 64 MB and no per-node objects. For tests, benchmarks and tools
 * that rebuild a tree from leaves (the offline verifier); the attestor keeps nodes in Postgres.
 */
export class MemoryNodeStore implements NodeReader {
  private readonly levels: { buffer: Buffer; count: number }[] = [];
  private treeState: TreeState = EMPTY_TREE;

  get size(): number {
    return this.treeState.size;
  }

  get state(): TreeState {
    return this.treeState;
  }

  root(): Buffer {
    return rootOfState(this.treeState);
  }

  /** Appends leaf hashes, stores every completed node and returns the new root. */
  append(leafHashes: readonly Uint8Array[]): Buffer {
    const result = appendLeaves(this.treeState, leafHashes);
    this.writeNodes(result.nodes);
    this.treeState = result.state;
    return result.root;
  }

  writeNodes(nodes: readonly StoredNode[]): void {
    for (const node of nodes) {
      let level = this.levels[node.level];
      while (this.levels.length <= node.level)
        this.levels.push({ buffer: Buffer.alloc(HASH_SIZE * 64), count: 0 });
      level = this.levels[node.level]!;
      // Nodes of a level complete strictly left to right, so a write is always the next slot.
      if (node.index !== level.count) {
        throw new TlogError('INVALID_ARGUMENT', `node ${node.level}/${node.index} written out of order`, {
          level: node.level,
          index: node.index,
          expected: level.count,
        });
      }
      if ((level.count + 1) * HASH_SIZE > level.buffer.length) {
        const grown = Buffer.alloc(level.buffer.length * 2);
        level.buffer.copy(grown);
        level.buffer = grown;
      }
      Buffer.from(node.hash).copy(level.buffer, level.count * HASH_SIZE);
      level.count += 1;
    }
  }

  readNodesSync(ids: readonly NodeId[]): (Buffer | undefined)[] {
    return ids.map(({ level, index }) => {
      const stored = this.levels[level];
      if (stored === undefined || index >= stored.count) return undefined;
      return stored.buffer.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    });
  }

  readNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]> {
    return Promise.resolve(this.readNodesSync(ids));
  }
}

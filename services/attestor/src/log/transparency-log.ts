import { quoteSchema, withTransaction } from '@stella/db';
import {
  appendLeaves,
  consistencyProofPlan,
  inclusionProofPlan,
  leafHash,
  loadTreeState,
  resolvePlan,
  signCheckpoint,
  frontierIds,
  type NodeReader,
  type NoteSigner,
  type ProofElementPlan,
  type StoredNode,
  type TreeState,
} from '@stella/tlog';
import type { DataSource, EntityManager } from 'typeorm';
import { AttestorError } from '../common/attestor-error';
import type { Clock } from '../common/clock';
import { PgNodeStore } from './pg-node-store';

export interface LogEntryInput {
  data: Buffer;
  contentType: string;
}

export interface AppendedEntry {
  index: number;
  leafHash: Buffer;
  /** The checkpoint of the batch the entry was appended in. */
  checkpoint: SignedCheckpoint;
  /** Inclusion proof of the entry at `checkpoint.size`. */
  inclusionProof: Buffer[];
}

export interface SignedCheckpoint {
  size: number;
  rootHash: Buffer;
  note: string;
}

export interface StoredEntry {
  index: number;
  leafHash: Buffer;
  data: Buffer;
  contentType: string;
  createdAt: Date;
}

/**
 * The RFC 6962 log in Postgres. Appends are serialized by a transaction-scoped advisory lock;
 * each append writes the leaves, every node they complete and a signed checkpoint, so the stored
 * tree and its latest checkpoint always agree. Proofs read O(log n) nodes in one query.
 */
export class TransparencyLog {
  private readonly s: string;
  private lastState: { state: TreeState; root: Buffer } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly origin: string,
    private readonly signer: NoteSigner & { verifier: { vkey: string } },
    private readonly clock: Clock,
  ) {
    this.s = quoteSchema(schema);
  }

  /** The log's public key in vkey form (`<origin>+<hash>+<key>`): all a verifier needs. */
  get verifierKey(): string {
    return this.signer.verifier.vkey;
  }

  get logOrigin(): string {
    return this.origin;
  }

  /** Signs the empty tree on first start, so a checkpoint always exists. */
  async bootstrap(): Promise<void> {
    await withTransaction(this.dataSource, async (manager) => {
      await this.lock(manager);
      if ((await this.latestCheckpointRow(manager)) === undefined)
        await this.appendInTransaction(manager, []);
    });
  }

  /** Appends entries inside the caller's transaction (the caller commits them with its own rows). */
  async appendInTransaction(
    manager: EntityManager,
    entries: readonly LogEntryInput[],
  ): Promise<AppendedEntry[]> {
    await this.lock(manager);
    const current = await this.latestCheckpointRow(manager);
    const size = current === undefined ? 0 : Number(current.tree_size);
    if (current !== undefined && entries.length === 0) return [];
    const state = await this.stateAt(manager, size, current?.root_hash);
    const hashes = entries.map((entry) => leafHash(entry.data));
    const result = appendLeaves(state, hashes);
    const now = this.clock.now();
    const checkpoint = this.sign(result.state.size, result.root);
    // Leaves, nodes and checkpoint in one statement: one round trip while the append lock is held.
    await manager.query(
      `WITH leaves AS (
         INSERT INTO ${this.s}.tlog_leaves (leaf_index, leaf_hash, data, content_type, created_at)
         SELECT i, h, d, c, $5 FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::text[]) AS t(i, h, d, c)
       ), nodes AS (
         INSERT INTO ${this.s}.tlog_nodes (level, node_index, hash)
         SELECT * FROM unnest($6::smallint[], $7::bigint[], $8::bytea[])
       )
       INSERT INTO ${this.s}.tlog_checkpoints (tree_size, root_hash, note, created_at) VALUES ($9, $10, $11, $5)`,
      [
        entries.map((_, i) => size + i),
        hashes,
        entries.map((e) => e.data),
        entries.map((e) => e.contentType),
        now,
        result.nodes.map((n) => n.level),
        result.nodes.map((n) => n.index),
        result.nodes.map((n) => n.hash),
        checkpoint.size,
        checkpoint.rootHash,
        checkpoint.note,
      ],
    );
    this.lastState = { state: result.state, root: result.root };
    // Every node a proof of a new leaf needs is either new or in the old frontier (a complete
    // subtree left of the batch whose parent is incomplete is one of the frontier's subtrees).
    const proofs = await this.proofsFor(
      batchNodeReader(state, result.nodes),
      entries.map((_, i) => inclusionProofPlan(size + i, checkpoint.size)),
    );
    return entries.map((_, i) => ({
      index: size + i,
      leafHash: hashes[i]!,
      checkpoint,
      inclusionProof: proofs[i]!,
    }));
  }

  /**
   * The frontier at `size`: the one this replica computed last when it describes the same tree
   * (same size and root, whether or not that transaction committed), else read from the nodes.
   */
  private async stateAt(manager: EntityManager, size: number, root: Buffer | undefined): Promise<TreeState> {
    const last = this.lastState;
    if (last && last.state.size === size && root !== undefined && last.root.equals(root)) return last.state;
    return loadTreeState(new PgNodeStore(manager, this.schema), size);
  }

  async append(entries: readonly LogEntryInput[]): Promise<AppendedEntry[]> {
    return withTransaction(this.dataSource, (manager) => this.appendInTransaction(manager, entries));
  }

  async latestCheckpoint(): Promise<SignedCheckpoint> {
    const row = await this.latestCheckpointRow(this.dataSource.manager);
    if (row === undefined) throw new AttestorError('LOG_UNAVAILABLE', 'the log has no checkpoint yet');
    return { size: Number(row.tree_size), rootHash: row.root_hash, note: row.note };
  }

  async checkpointAt(size: number): Promise<SignedCheckpoint | undefined> {
    const rows: Array<{ tree_size: string; root_hash: Buffer; note: string }> = await this.dataSource.query(
      `SELECT tree_size, root_hash, note FROM ${this.s}.tlog_checkpoints WHERE tree_size = $1`,
      [size],
    );
    const row = rows[0];
    return row ? { size: Number(row.tree_size), rootHash: row.root_hash, note: row.note } : undefined;
  }

  async entry(index: number): Promise<StoredEntry> {
    const rows: Array<{
      leaf_index: string;
      leaf_hash: Buffer;
      data: Buffer;
      content_type: string;
      created_at: Date;
    }> = await this.dataSource.query(
      `SELECT leaf_index, leaf_hash, data, content_type, created_at FROM ${this.s}.tlog_leaves WHERE leaf_index = $1`,
      [index],
    );
    const row = rows[0];
    if (row === undefined) throw new AttestorError('ENTRY_NOT_FOUND', `no log entry ${index}`, { index });
    return {
      index: Number(row.leaf_index),
      leafHash: row.leaf_hash,
      data: row.data,
      contentType: row.content_type,
      createdAt: row.created_at,
    };
  }

  /** Inclusion proof of `index` in the tree of `size` leaves (default: the latest checkpoint's). */
  async inclusionProof(
    index: number,
    size?: number,
  ): Promise<{ index: number; size: number; leafHash: Buffer; hashes: Buffer[] }> {
    const treeSize = size ?? (await this.latestCheckpoint()).size;
    await this.requireSize(treeSize);
    const plan = inclusionProofPlan(index, treeSize);
    const store = new PgNodeStore(this.dataSource.manager, this.schema);
    const [hashes] = await this.proofsFor(store, [plan]);
    const [leaf] = await store.readNodes([{ level: 0, index }]);
    return { index, size: treeSize, leafHash: Buffer.from(leaf!), hashes: hashes! };
  }

  async consistencyProof(from: number, to?: number): Promise<{ from: number; to: number; hashes: Buffer[] }> {
    const toSize = to ?? (await this.latestCheckpoint()).size;
    await this.requireSize(toSize);
    const [hashes] = await this.proofsFor(new PgNodeStore(this.dataSource.manager, this.schema), [
      consistencyProofPlan(from, toSize),
    ]);
    return { from, to: toSize, hashes: hashes! };
  }

  private async requireSize(size: number): Promise<void> {
    const latest = await this.latestCheckpoint();
    if (size > latest.size) {
      throw new AttestorError('OUT_OF_RANGE', `tree size ${size} exceeds the log size ${latest.size}`, {
        size,
        logSize: latest.size,
      });
    }
  }

  /** Resolves several proofs with a single node query. */
  private async proofsFor(
    store: NodeReader,
    plans: readonly (readonly ProofElementPlan[])[],
  ): Promise<Buffer[][]> {
    const flat = await resolvePlan(store, plans.flat());
    const out: Buffer[][] = [];
    let offset = 0;
    for (const plan of plans) {
      out.push(flat.slice(offset, offset + plan.length));
      offset += plan.length;
    }
    return out;
  }

  private sign(size: number, rootHash: Buffer): SignedCheckpoint {
    return {
      size,
      rootHash,
      note: signCheckpoint({ origin: this.origin, size, rootHash, extensions: [] }, [this.signer]),
    };
  }

  private async lock(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.s}.tlog-append`]);
  }

  private async latestCheckpointRow(manager: EntityManager) {
    const rows: Array<{ tree_size: string; root_hash: Buffer; note: string }> = await manager.query(
      `SELECT tree_size, root_hash, note FROM ${this.s}.tlog_checkpoints ORDER BY tree_size DESC LIMIT 1`,
    );
    return rows[0];
  }
}

/** Serves the nodes of one append from memory: the old frontier plus every node the batch completed. */
function batchNodeReader(before: TreeState, created: readonly StoredNode[]): NodeReader {
  const nodes = new Map<string, Uint8Array>();
  frontierIds(before.size).forEach((id, i) => nodes.set(`${id.level}/${id.index}`, before.frontier[i]!));
  for (const node of created) nodes.set(`${node.level}/${node.index}`, node.hash);
  return { readNodes: (ids) => Promise.resolve(ids.map((id) => nodes.get(`${id.level}/${id.index}`))) };
}

import { quoteSchema } from '@stella/db';
import type { NodeId, NodeReader, StoredNode } from '@stella/tlog';
import type { EntityManager } from 'typeorm';

/** The tlog NodeStore port over `tlog_nodes`: one round trip per read, one per write batch. */
export class PgNodeStore implements NodeReader {
  private readonly table: string;

  constructor(
    private readonly manager: EntityManager,
    schema: string,
  ) {
    this.table = `${quoteSchema(schema)}.tlog_nodes`;
  }

  async readNodes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]> {
    if (ids.length === 0) return [];
    const rows: Array<{ level: number; node_index: string; hash: Buffer }> = await this.manager.query(
      `SELECT n.level, n.node_index, n.hash FROM ${this.table} n
       JOIN unnest($1::smallint[], $2::bigint[]) AS wanted(level, node_index)
         ON n.level = wanted.level AND n.node_index = wanted.node_index`,
      [ids.map((id) => id.level), ids.map((id) => id.index)],
    );
    const byKey = new Map(rows.map((row) => [`${row.level}/${row.node_index}`, row.hash]));
    return ids.map((id) => byKey.get(`${id.level}/${id.index}`));
  }

  async writeNodes(nodes: readonly StoredNode[]): Promise<void> {
    if (nodes.length === 0) return;
    await this.manager.query(
      `INSERT INTO ${this.table} (level, node_index, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
      [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash)],
    );
  }
}

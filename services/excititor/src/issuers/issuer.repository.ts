import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { IssuerConfig } from '../config/excititor-config';

export interface StoredIssuer extends IssuerConfig {
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** Postgres side of the runtime issuer registry (`vex_issuer`, and the change counter replicas poll). */
@Injectable()
export class IssuerRepository {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Increases on every change; replicas reload the registry when it moved. */
  async generation(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT generation FROM ${this.s}.vex_issuer_generation`);
    return String(row?.generation ?? '0');
  }

  async all(): Promise<StoredIssuer[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT * FROM ${this.s}.vex_issuer ORDER BY id`,
    );
    return rows.map(toIssuer);
  }

  /** The issuer, locked until the transaction ends (so concurrent PUTs on one id serialise). */
  async lock(manager: EntityManager, id: string): Promise<StoredIssuer | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT * FROM ${this.s}.vex_issuer WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toIssuer(rows[0]) : null;
  }

  async upsert(manager: EntityManager, issuer: IssuerConfig, at: Date, by: string): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.vex_issuer (id, trust, authors, public_keys, require_signature, created_at, updated_at, updated_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6, $7)
       ON CONFLICT (id) DO UPDATE SET trust = EXCLUDED.trust, authors = EXCLUDED.authors, public_keys = EXCLUDED.public_keys,
         require_signature = EXCLUDED.require_signature, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [
        issuer.id,
        issuer.trust,
        issuer.authors,
        JSON.stringify(issuer.publicKeys),
        issuer.requireSignature,
        at,
        by,
      ],
    );
    await this.bump(manager);
  }

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`DELETE FROM ${this.s}.vex_issuer WHERE id = $1`, [id]);
    await this.bump(manager);
  }

  private async bump(manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE ${this.s}.vex_issuer_generation SET generation = generation + 1`);
  }
}

function toIssuer(row: Record<string, unknown>): StoredIssuer {
  return {
    id: String(row.id),
    trust: Number(row.trust),
    authors: row.authors as string[],
    publicKeys: row.public_keys as IssuerConfig['publicKeys'],
    requireSignature: Boolean(row.require_signature),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
    updatedBy: String(row.updated_by),
  };
}

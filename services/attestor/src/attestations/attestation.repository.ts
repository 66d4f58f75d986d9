import { quoteSchema } from '@stella/db';
import type { EntityManager } from 'typeorm';

export interface AttestationRow {
  attestationId: string;
  tenantId: string;
  predicateType: string;
  subjectDigests: string[];
  envelopeDigest: string;
  keyIds: string[];
  certificateChain: string[];
  logIndex: number;
  checkpointSize: number;
  inclusionProof: Buffer[];
  decisionId: string | null;
  createdAt: Date;
}

interface Row {
  attestation_id: string;
  tenant_id: string;
  predicate_type: string;
  subject_digests: string[];
  envelope_digest: string;
  key_ids: string[];
  certificate_chain: string[];
  log_index: string;
  checkpoint_size: string;
  inclusion_proof: Buffer[];
  decision_id: string | null;
  created_at: Date;
}

const COLUMNS =
  'attestation_id, tenant_id, predicate_type, subject_digests, envelope_digest, key_ids, certificate_chain, log_index, checkpoint_size, inclusion_proof, decision_id, created_at';

function toRow(row: Row): AttestationRow {
  return {
    attestationId: row.attestation_id,
    tenantId: row.tenant_id,
    predicateType: row.predicate_type,
    subjectDigests: row.subject_digests,
    envelopeDigest: row.envelope_digest,
    keyIds: row.key_ids,
    certificateChain: row.certificate_chain,
    logIndex: Number(row.log_index),
    checkpointSize: Number(row.checkpoint_size),
    inclusionProof: row.inclusion_proof,
    decisionId: row.decision_id,
    createdAt: row.created_at,
  };
}

/** Attestation rows. Every query takes the tenant: one tenant never reads another's attestations. */
export class AttestationRepository {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `${quoteSchema(schema)}.attestations`;
  }

  async insert(manager: EntityManager, row: AttestationRow): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        row.attestationId,
        row.tenantId,
        row.predicateType,
        row.subjectDigests,
        row.envelopeDigest,
        row.keyIds,
        row.certificateChain,
        row.logIndex,
        row.checkpointSize,
        row.inclusionProof,
        row.decisionId,
        row.createdAt,
      ],
    );
  }

  async byId(
    manager: EntityManager,
    tenantId: string,
    attestationId: string,
  ): Promise<AttestationRow | undefined> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE tenant_id = $1 AND attestation_id = $2`,
      [tenantId, attestationId],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async byEnvelope(
    manager: EntityManager,
    tenantId: string,
    envelopeDigest: string,
  ): Promise<AttestationRow | undefined> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE tenant_id = $1 AND envelope_digest = $2`,
      [tenantId, envelopeDigest],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async byDecision(
    manager: EntityManager,
    tenantId: string,
    decisionId: string,
  ): Promise<AttestationRow | undefined> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE tenant_id = $1 AND decision_id = $2`,
      [tenantId, decisionId],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async bySubject(
    manager: EntityManager,
    tenantId: string,
    digest: string,
    predicateType: string | undefined,
    limit: number,
  ): Promise<AttestationRow[]> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM ${this.table}
       WHERE tenant_id = $1 AND subject_digests @> ARRAY[$2]::text[] AND ($3::text IS NULL OR predicate_type = $3)
       ORDER BY log_index LIMIT $4`,
      [tenantId, digest, predicateType ?? null, limit],
    );
    return rows.map(toRow);
  }
}

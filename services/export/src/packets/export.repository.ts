import { quoteSchema } from '@stella/db';
import type { EntityManager } from 'typeorm';

export interface DecisionRow {
  tenantId: string;
  decisionId: string;
  promotionId: string;
  environment: string;
  verdict: 'allow' | 'deny';
  releaseDigest: string;
  evaluatedAt: Date;
  record: string;
  inputs: string | null;
}

export interface PacketRow {
  packetId: string;
  tenantId: string;
  decisionId: string;
  environment: string;
  verdict: 'allow' | 'deny';
  releaseDigest: string;
  evaluatedAt: Date;
  attestationId: string;
  logIndex: number;
  objectKey: string;
  sha256: string;
  sizeBytes: number;
  retentionClass: string;
  expiresAt: Date;
  createdAt: Date;
}

export interface AuditPackRow {
  auditPackId: string;
  tenantId: string;
  environment: string;
  rangeFrom: Date;
  rangeTo: Date;
  decisionCount: number;
  objectKey: string;
  sha256: string;
  sizeBytes: number;
  retentionClass: string;
  expiresAt: Date;
  createdBy: string;
  createdAt: Date;
}

type Raw = Record<string, unknown>;

const packetOf = (r: Raw): PacketRow => ({
  packetId: r.packet_id as string,
  tenantId: r.tenant_id as string,
  decisionId: r.decision_id as string,
  environment: r.environment as string,
  verdict: r.verdict as 'allow' | 'deny',
  releaseDigest: r.release_digest as string,
  evaluatedAt: new Date(r.evaluated_at as string),
  attestationId: r.attestation_id as string,
  logIndex: Number(r.log_index),
  objectKey: r.object_key as string,
  sha256: r.sha256 as string,
  sizeBytes: Number(r.size_bytes),
  retentionClass: r.retention_class as string,
  expiresAt: new Date(r.expires_at as string),
  createdAt: new Date(r.created_at as string),
});

const auditPackOf = (r: Raw): AuditPackRow => ({
  auditPackId: r.audit_pack_id as string,
  tenantId: r.tenant_id as string,
  environment: r.environment as string,
  rangeFrom: new Date(r.range_from as string),
  rangeTo: new Date(r.range_to as string),
  decisionCount: Number(r.decision_count),
  objectKey: r.object_key as string,
  sha256: r.sha256 as string,
  sizeBytes: Number(r.size_bytes),
  retentionClass: r.retention_class as string,
  expiresAt: new Date(r.expires_at as string),
  createdBy: r.created_by as string,
  createdAt: new Date(r.created_at as string),
});

/** Every query of the export service; each filters by tenant (evidence never crosses tenants). */
export class ExportRepository {
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteSchema(schema);
  }

  async saveDecision(m: EntityManager, d: DecisionRow, receivedAt: Date): Promise<void> {
    await m.query(
      `INSERT INTO ${this.s}.decisions (tenant_id, decision_id, promotion_id, environment, verdict, release_digest, evaluated_at, record, inputs, received_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (tenant_id, decision_id) DO NOTHING`,
      [d.tenantId, d.decisionId, d.promotionId, d.environment, d.verdict, d.releaseDigest, d.evaluatedAt, d.record, d.inputs, receivedAt],
    );
  }

  async decision(m: EntityManager, tenantId: string, decisionId: string): Promise<DecisionRow | undefined> {
    const rows = (await m.query(`SELECT * FROM ${this.s}.decisions WHERE tenant_id = $1 AND decision_id = $2`, [tenantId, decisionId])) as Raw[];
    const r = rows[0];
    if (!r) return undefined;
    return {
      tenantId: r.tenant_id as string,
      decisionId: r.decision_id as string,
      promotionId: r.promotion_id as string,
      environment: r.environment as string,
      verdict: r.verdict as 'allow' | 'deny',
      releaseDigest: r.release_digest as string,
      evaluatedAt: new Date(r.evaluated_at as string),
      record: r.record as string,
      inputs: (r.inputs as string | null) ?? null,
    };
  }

  async saveRelease(m: EntityManager, tenantId: string, releaseId: string, manifest: string): Promise<void> {
    await m.query(
      `INSERT INTO ${this.s}.releases (tenant_id, release_id, manifest) VALUES ($1,$2,$3) ON CONFLICT (tenant_id, release_id) DO NOTHING`,
      [tenantId, releaseId, manifest],
    );
  }

  async releaseManifest(m: EntityManager, tenantId: string, releaseId: string): Promise<string | undefined> {
    const rows = (await m.query(`SELECT manifest FROM ${this.s}.releases WHERE tenant_id = $1 AND release_id = $2`, [tenantId, releaseId])) as Raw[];
    return rows[0]?.manifest as string | undefined;
  }

  async insertPacket(m: EntityManager, p: PacketRow): Promise<void> {
    await m.query(
      `INSERT INTO ${this.s}.packets (packet_id, tenant_id, decision_id, environment, verdict, release_digest, evaluated_at, attestation_id, log_index,
         object_key, sha256, size_bytes, retention_class, expires_at, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
      [p.packetId, p.tenantId, p.decisionId, p.environment, p.verdict, p.releaseDigest, p.evaluatedAt, p.attestationId, p.logIndex, p.objectKey, p.sha256, p.sizeBytes, p.retentionClass, p.expiresAt, p.createdAt],
    );
  }

  async packetByDecision(m: EntityManager, tenantId: string, decisionId: string): Promise<PacketRow | undefined> {
    const rows = (await m.query(`SELECT * FROM ${this.s}.packets WHERE tenant_id = $1 AND decision_id = $2 AND deleted_at IS NULL`, [tenantId, decisionId])) as Raw[];
    return rows[0] ? packetOf(rows[0]) : undefined;
  }

  async packetExists(m: EntityManager, tenantId: string, decisionId: string): Promise<boolean> {
    const rows = (await m.query(`SELECT 1 FROM ${this.s}.packets WHERE tenant_id = $1 AND decision_id = $2`, [tenantId, decisionId])) as Raw[];
    return rows.length > 0;
  }

  async packet(m: EntityManager, tenantId: string, packetId: string): Promise<PacketRow | undefined> {
    const rows = (await m.query(`SELECT * FROM ${this.s}.packets WHERE tenant_id = $1 AND packet_id = $2 AND deleted_at IS NULL`, [tenantId, packetId])) as Raw[];
    return rows[0] ? packetOf(rows[0]) : undefined;
  }

  async listPackets(m: EntityManager, tenantId: string, filter: { decision?: string; environment?: string; limit: number }): Promise<PacketRow[]> {
    const rows = (await m.query(
      `SELECT * FROM ${this.s}.packets WHERE tenant_id = $1 AND deleted_at IS NULL
         AND ($2::text IS NULL OR decision_id = $2) AND ($3::text IS NULL OR environment = $3)
       ORDER BY evaluated_at DESC, decision_id LIMIT $4`,
      [tenantId, filter.decision ?? null, filter.environment ?? null, filter.limit],
    )) as Raw[];
    return rows.map(packetOf);
  }

  /** Packets of an environment whose decision was made in [from, to). */
  async packetsInRange(m: EntityManager, tenantId: string, environment: string, from: Date, to: Date): Promise<PacketRow[]> {
    const rows = (await m.query(
      `SELECT * FROM ${this.s}.packets WHERE tenant_id = $1 AND environment = $2 AND evaluated_at >= $3 AND evaluated_at < $4 AND deleted_at IS NULL
       ORDER BY decision_id`,
      [tenantId, environment, from, to],
    )) as Raw[];
    return rows.map(packetOf);
  }

  async insertAuditPack(m: EntityManager, a: AuditPackRow): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO ${this.s}.audit_packs (audit_pack_id, tenant_id, environment, range_from, range_to, decision_count, object_key, sha256, size_bytes,
         retention_class, expires_at, created_by, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (audit_pack_id) DO NOTHING RETURNING 1`,
      [a.auditPackId, a.tenantId, a.environment, a.rangeFrom, a.rangeTo, a.decisionCount, a.objectKey, a.sha256, a.sizeBytes, a.retentionClass, a.expiresAt, a.createdBy, a.createdAt],
    )) as Raw[];
    return rows.length > 0;
  }

  async auditPack(m: EntityManager, tenantId: string, auditPackId: string): Promise<AuditPackRow | undefined> {
    const rows = (await m.query(`SELECT * FROM ${this.s}.audit_packs WHERE tenant_id = $1 AND audit_pack_id = $2 AND deleted_at IS NULL`, [tenantId, auditPackId])) as Raw[];
    return rows[0] ? auditPackOf(rows[0]) : undefined;
  }

  /** Packets and audit packs past their retention (any tenant: the sweeper is the service's own job). */
  async expired(m: EntityManager, now: Date, limit: number): Promise<Array<{ kind: 'packet' | 'audit-pack'; id: string; objectKey: string }>> {
    const rows = (await m.query(
      `(SELECT 'packet' AS kind, packet_id AS id, object_key FROM ${this.s}.packets WHERE deleted_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2)
       UNION ALL
       (SELECT 'audit-pack' AS kind, audit_pack_id AS id, object_key FROM ${this.s}.audit_packs WHERE deleted_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
      [now, limit],
    )) as Raw[];
    return rows.map((r) => ({ kind: r.kind as 'packet' | 'audit-pack', id: r.id as string, objectKey: r.object_key as string }));
  }

  async markDeleted(m: EntityManager, kind: 'packet' | 'audit-pack', id: string, at: Date): Promise<void> {
    const table = kind === 'packet' ? 'packets' : 'audit_packs';
    const column = kind === 'packet' ? 'packet_id' : 'audit_pack_id';
    await m.query(`UPDATE ${this.s}.${table} SET deleted_at = $2 WHERE ${column} = $1 AND deleted_at IS NULL`, [id, at]);
  }
}

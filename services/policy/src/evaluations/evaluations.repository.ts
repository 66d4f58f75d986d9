import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** What made an evaluation: a request (the orchestrator's gate, a person) or a re-evaluation. */
export type EvaluationCause =
  | { kind: 'request'; by: string }
  | { kind: 'advisory'; advisoryId: string; documentHash: string; feedSnapshotId: string }
  | { kind: 'vex'; vulnerabilityId: string; productKey: string; status: string; documentId: string; documentHash: string };

export interface EvaluationRow {
  id: string;
  tenantId: string;
  releaseId: string;
  releaseName: string;
  releaseVersion: string;
  environment: string;
  policyName: string;
  policyVersion: string;
  policyHash: string;
  policySource: string;
  inputDigest: string;
  /** RFC 8785 canonical JSON of the policy input. */
  inputDocument: string;
  verdictDigest: string;
  /** RFC 8785 canonical JSON of the verdict (verdictBytes), as text. */
  verdictBytes: string;
  engineVersion: string;
  outcome: string;
  summary: string;
  evaluatedAt: Date;
  createdAt: Date;
  requestedBy: string;
  cause: EvaluationCause;
}

interface Sql {
  id: string;
  tenant_id: string;
  release_id: string;
  release_name: string;
  release_version: string;
  environment: string;
  policy_name: string;
  policy_version: string;
  policy_hash: string;
  policy_source: string;
  input_digest: string;
  input_document: string;
  verdict_digest: string;
  verdict_bytes: string;
  engine_version: string;
  outcome: string;
  summary: string;
  evaluated_at: Date;
  created_at: Date;
  requested_by: string;
  cause: EvaluationCause;
}

const row = (r: Sql): EvaluationRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  releaseId: r.release_id,
  releaseName: r.release_name,
  releaseVersion: r.release_version,
  environment: r.environment,
  policyName: r.policy_name,
  policyVersion: r.policy_version,
  policyHash: r.policy_hash,
  policySource: r.policy_source,
  inputDigest: r.input_digest,
  inputDocument: r.input_document,
  verdictDigest: r.verdict_digest,
  verdictBytes: r.verdict_bytes,
  engineVersion: r.engine_version,
  outcome: r.outcome,
  summary: r.summary,
  evaluatedAt: r.evaluated_at,
  createdAt: r.created_at,
  requestedBy: r.requested_by,
  cause: r.cause,
});

const COLUMNS = [
  'id',
  'tenant_id',
  'release_id',
  'release_name',
  'release_version',
  'environment',
  'policy_name',
  'policy_version',
  'policy_hash',
  'policy_source',
  'input_digest',
  'input_document',
  'verdict_digest',
  'verdict_bytes',
  'engine_version',
  'outcome',
  'summary',
  'evaluated_at',
  'created_at',
  'requested_by',
  'cause',
] as const;

/** Evaluations (insert-only, content-addressed) and the latest verdict per (release, environment). */
@Injectable()
export class EvaluationsRepository {
  private readonly s: string;

  constructor(@Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.s = quoteSchema(schemaOf(dataSource));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Stores an evaluation (an identical one, same id, is kept as it was) and makes it the release's latest in the environment. */
  async insert(manager: EntityManager, e: EvaluationRow): Promise<void> {
    const values = [
      e.id,
      e.tenantId,
      e.releaseId,
      e.releaseName,
      e.releaseVersion,
      e.environment,
      e.policyName,
      e.policyVersion,
      e.policyHash,
      e.policySource,
      e.inputDigest,
      e.inputDocument,
      e.verdictDigest,
      e.verdictBytes,
      e.engineVersion,
      e.outcome,
      e.summary,
      e.evaluatedAt,
      e.createdAt,
      e.requestedBy,
      JSON.stringify(e.cause),
    ];
    await manager.query(
      `INSERT INTO ${this.s}.evaluation (${COLUMNS.join(', ')})
       VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING`,
      values,
    );
    await manager.query(
      `INSERT INTO ${this.s}.release_risk (tenant_id, release_id, environment, evaluation_id, outcome, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, release_id, environment) DO UPDATE SET evaluation_id = EXCLUDED.evaluation_id,
         outcome = EXCLUDED.outcome, updated_at = EXCLUDED.updated_at`,
      [e.tenantId, e.releaseId, e.environment, e.id, e.outcome, e.createdAt],
    );
  }

  async find(tenantId: string, id: string): Promise<EvaluationRow | null> {
    const rows: Sql[] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.evaluation WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0] ? row(rows[0]) : null;
  }

  /** The latest evaluation of a release in an environment (locked when `lock`, inside a transaction). */
  async latest(
    manager: EntityManager,
    tenantId: string,
    releaseId: string,
    environment: string,
    lock = false,
  ): Promise<EvaluationRow | null> {
    const rows: Sql[] = await manager.query(
      `SELECT e.* FROM ${this.s}.release_risk r JOIN ${this.s}.evaluation e ON e.id = r.evaluation_id
       WHERE r.tenant_id = $1 AND r.release_id = $2 AND r.environment = $3${lock ? ' FOR UPDATE OF r' : ''}`,
      [tenantId, releaseId, environment],
    );
    return rows[0] ? row(rows[0]) : null;
  }

  /** The latest verdict of a release in an environment, locked for the caller's transaction. */
  async latestOutcome(
    manager: EntityManager,
    tenantId: string,
    releaseId: string,
    environment: string,
  ): Promise<{ id: string; outcome: string } | null> {
    const rows: Array<{ evaluation_id: string; outcome: string }> = await manager.query(
      `SELECT evaluation_id, outcome FROM ${this.s}.release_risk
       WHERE tenant_id = $1 AND release_id = $2 AND environment = $3 FOR UPDATE`,
      [tenantId, releaseId, environment],
    );
    return rows[0] ? { id: rows[0].evaluation_id, outcome: rows[0].outcome } : null;
  }

  /**
   * What a re-evaluation needs of the latest evaluation: its verdict, its approvals and its
   * findings (projected from the stored input in Postgres, not parsed whole here).
   */
  async latestSummary(
    manager: EntityManager,
    tenantId: string,
    releaseId: string,
    environment: string,
  ): Promise<{ id: string; outcome: string; approvals: unknown[]; findings: unknown[] } | null> {
    const rows: Array<{ id: string; outcome: string; approvals: unknown[] | null; findings: unknown[] | null }> = await manager.query(
      `SELECT e.id, e.outcome, d.doc->'approvals' AS approvals,
              jsonb_path_query_array(d.doc, '$.images[*].findings[*]') AS findings
       FROM ${this.s}.release_risk r JOIN ${this.s}.evaluation e ON e.id = r.evaluation_id
       CROSS JOIN LATERAL (SELECT e.input_document::jsonb AS doc) d
       WHERE r.tenant_id = $1 AND r.release_id = $2 AND r.environment = $3`,
      [tenantId, releaseId, environment],
    );
    const row = rows[0];
    return row ? { id: row.id, outcome: row.outcome, approvals: row.approvals ?? [], findings: row.findings ?? [] } : null;
  }

  async list(tenantId: string, filter: { releaseId?: string; environment?: string }, limit: number) {
    const rows: Sql[] = await this.dataSource.query(
      `SELECT id, tenant_id, release_id, release_name, release_version, environment, policy_name, policy_version,
              policy_hash, '' AS policy_source, input_digest, '' AS input_document, verdict_digest, '' AS verdict_bytes,
              engine_version, outcome, summary, evaluated_at, created_at, requested_by, cause
       FROM ${this.s}.evaluation WHERE tenant_id = $1 AND ($2::text IS NULL OR release_id = $2)
         AND ($3::text IS NULL OR environment = $3)
       ORDER BY seq DESC LIMIT $4`,
      [tenantId, filter.releaseId ?? null, filter.environment ?? null, limit],
    );
    return rows.map(row);
  }
}

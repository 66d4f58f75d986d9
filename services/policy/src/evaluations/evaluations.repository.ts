import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema, schemaOf } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { sha256Digest } from '@stella/canonical';
import { joinInput, type InputSplice, type StoredInput } from './input-parts';

/** What made an evaluation: a request (the orchestrator's gate, a person) or a re-evaluation. */
export type EvaluationCause =
  | { kind: 'request'; by: string }
  | { kind: 'advisory'; advisoryId: string; documentHash: string; feedSnapshotId: string }
  | { kind: 'vex'; vulnerabilityId: string; productKey: string; status: string; documentId: string; documentHash: string }
  | { kind: 'enrichment'; source: 'kev' | 'epss'; documentHash: string; feedSnapshotId: string; cveIds: string[] };

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
  /** How the input is stored (component lists apart, content-addressed); absent: whole. */
  storedInput?: StoredInput;
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
  input_parts?: InputSplice[] | null;
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

/** Evaluations per INSERT statement (21 parameters each, far below Postgres' 65,535). */
const INSERT_BATCH = 200;

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
  'input_parts',
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

  /**
   * Stores evaluations (an identical one, same id, is kept as it was) and makes each the release's
   * latest in its environment. Two statements for any number of evaluations.
   */
  async insertMany(
    manager: EntityManager,
    rows: readonly EvaluationRow[],
    facts: ReadonlyArray<{ approvals: unknown[]; findings: unknown[] }> = [],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.storeParts(manager, rows);
    // Plain parameters (not one JSON document): the inputs are large texts Postgres need not parse.
    for (let from = 0; from < rows.length; from += INSERT_BATCH) {
      const batch = rows.slice(from, from + INSERT_BATCH);
      const values: unknown[] = [];
      const tuples = batch.map((e) => {
        const base = values.length;
        values.push(
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
          e.storedInput ? e.storedInput.text : e.inputDocument,
          e.verdictDigest,
          e.verdictBytes,
          e.engineVersion,
          e.outcome,
          e.summary,
          e.evaluatedAt,
          e.createdAt,
          e.requestedBy,
          JSON.stringify(e.cause),
          e.storedInput && e.storedInput.splices.length > 0 ? JSON.stringify(e.storedInput.splices) : null,
        );
        return `(${COLUMNS.map((_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      await manager.query(
        `INSERT INTO ${this.s}.evaluation (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`,
        values,
      );
    }
    // Last one wins per (tenant, release, environment): the batch is in evaluation order.
    const latest = new Map<string, { e: EvaluationRow; f: { approvals: unknown[]; findings: unknown[] } | undefined }>();
    for (const [index, e] of rows.entries())
      latest.set(`${e.tenantId}\u0000${e.releaseId}\u0000${e.environment}`, { e, f: facts[index] });
    await manager.query(
      `INSERT INTO ${this.s}.release_risk (tenant_id, release_id, environment, evaluation_id, outcome, updated_at, approvals, findings)
       SELECT x.tenant_id, x.release_id, x.environment, x.id, x.outcome, x.at, x.approvals, x.findings
       FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, release_id text, environment text, id text, outcome text,
         at timestamptz, approvals jsonb, findings jsonb)
       ON CONFLICT (tenant_id, release_id, environment) DO UPDATE SET evaluation_id = EXCLUDED.evaluation_id,
         outcome = EXCLUDED.outcome, updated_at = EXCLUDED.updated_at, approvals = EXCLUDED.approvals,
         findings = EXCLUDED.findings`,
      [
        JSON.stringify(
          [...latest.values()].map(({ e, f }) => ({
            tenant_id: e.tenantId,
            release_id: e.releaseId,
            environment: e.environment,
            id: e.id,
            outcome: e.outcome,
            at: e.createdAt.toISOString(),
            approvals: f?.approvals ?? null,
            findings: f?.findings ?? null,
          })),
        ),
      ],
    );
  }

  /**
   * The component lists the inputs cut out, each stored once: only those not stored yet are sent
   * (rows are insert-only, so what the query sees stored stays stored).
   */
  private async storeParts(manager: EntityManager, rows: readonly EvaluationRow[]): Promise<void> {
    const parts = new Map<string, string>();
    for (const r of rows) for (const p of r.storedInput?.parts ?? []) parts.set(p.digest, p.content);
    if (parts.size === 0) return;
    const present: Array<{ digest: string }> = await manager.query(
      `SELECT digest FROM ${this.s}.input_part WHERE digest = ANY($1::text[])`,
      [[...parts.keys()]],
    );
    for (const p of present) parts.delete(p.digest);
    if (parts.size === 0) return;
    await manager.query(
      `INSERT INTO ${this.s}.input_part (digest, content) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (digest) DO NOTHING`,
      [[...parts.keys()], [...parts.values()]],
    );
  }

  /** The whole canonical input of a stored row: its cut-out component lists put back, checked against its digest. */
  private async inputOf(r: Sql): Promise<string> {
    if (!r.input_parts || r.input_parts.length === 0) return r.input_document;
    const digests = [...new Set(r.input_parts.map((s) => s.digest))];
    const rows: Array<{ digest: string; content: string }> = await this.dataSource.query(
      `SELECT digest, content FROM ${this.s}.input_part WHERE digest = ANY($1::text[])`,
      [digests],
    );
    const document = joinInput(r.input_document, r.input_parts, new Map(rows.map((p) => [p.digest, p.content])));
    if (sha256Digest(document) !== r.input_digest)
      throw new Error(`the stored input of evaluation ${r.id} does not hash to its input digest ${r.input_digest}`);
    return document;
  }

  /** Latest verdicts of (release, environment) pairs, locked for the caller's transaction, in the given order. */
  async lockOutcomes(
    manager: EntityManager,
    keys: ReadonlyArray<{ tenantId: string; releaseId: string; environment: string }>,
  ): Promise<Array<{ id: string; outcome: string } | null>> {
    const rows: Array<{ tenant_id: string; release_id: string; environment: string; evaluation_id: string; outcome: string }> =
      await manager.query(
        `SELECT r.tenant_id, r.release_id, r.environment, r.evaluation_id, r.outcome
         FROM ${this.s}.release_risk r
         JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id text, release_id text, environment text)
           ON k.tenant_id = r.tenant_id AND k.release_id = r.release_id AND k.environment = r.environment
         ORDER BY r.tenant_id, r.release_id, r.environment
         FOR UPDATE OF r`,
        [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, release_id: k.releaseId, environment: k.environment })))],
      );
    const byKey = new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.release_id}\u0000${r.environment}`, { id: r.evaluation_id, outcome: r.outcome }]));
    return keys.map((k) => byKey.get(`${k.tenantId}\u0000${k.releaseId}\u0000${k.environment}`) ?? null);
  }

  async find(tenantId: string, id: string): Promise<EvaluationRow | null> {
    const rows: Sql[] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.evaluation WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    if (!rows[0]) return null;
    return { ...row(rows[0]), inputDocument: await this.inputOf(rows[0]) };
  }

  /**
   * What a re-evaluation needs of the latest evaluations of (release, environment) pairs: verdict,
   * approvals and findings (projected from the stored inputs in Postgres, not parsed whole here).
   */
  async latestSummaries(
    manager: EntityManager,
    keys: ReadonlyArray<{ tenantId: string; releaseId: string; environment: string }>,
  ): Promise<Array<{ id: string; outcome: string; approvals: unknown[]; findings: unknown[] } | null>> {
    if (keys.length === 0) return [];
    const rows: Array<{
      tenant_id: string;
      release_id: string;
      environment: string;
      id: string;
      outcome: string;
      approvals: unknown[] | null;
      findings: unknown[] | null;
    }> = await manager.query(
      `SELECT r.tenant_id, r.release_id, r.environment, r.evaluation_id AS id, r.outcome,
              COALESCE(r.approvals, (SELECT e.input_document::jsonb->'approvals' FROM ${this.s}.evaluation e WHERE e.id = r.evaluation_id)) AS approvals,
              COALESCE(r.findings, (SELECT jsonb_path_query_array(e.input_document::jsonb, '$.images[*].findings[*]')
                                    FROM ${this.s}.evaluation e WHERE e.id = r.evaluation_id)) AS findings
       FROM ${this.s}.release_risk r
       JOIN jsonb_to_recordset($1::jsonb) AS k(tenant_id text, release_id text, environment text)
         ON k.tenant_id = r.tenant_id AND k.release_id = r.release_id AND k.environment = r.environment`,
      [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, release_id: k.releaseId, environment: k.environment })))],
    );
    const byKey = new Map(
      rows.map((r) => [
        `${r.tenant_id}\u0000${r.release_id}\u0000${r.environment}`,
        { id: r.id, outcome: r.outcome, approvals: r.approvals ?? [], findings: r.findings ?? [] },
      ]),
    );
    return keys.map((k) => byKey.get(`${k.tenantId}\u0000${k.releaseId}\u0000${k.environment}`) ?? null);
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

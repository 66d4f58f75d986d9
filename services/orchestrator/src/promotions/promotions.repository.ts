import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrchestratorError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { environmentPolicySchema, type EnvironmentPolicy, type PromotionPath } from '../environments/environment.model';
import type { DecisionRecord } from '../decisions/decision-record';
import type { SqlBatch } from '../persistence/sql-batch';
import { iso, isUniqueViolation, query, queryBatch, queryOne } from '../persistence/sql';
import type { ReleaseSelector } from '../releases/releases.repository';
import {
  OPEN_STATES,
  SUCCESS_STATES,
  type ApprovalView,
  type EvaluationSummary,
  type PromotionState,
  type PromotionView,
  type TransitionView,
} from './promotion.model';

/** A promotion as the flow manipulates it (one row of `promotions`, plus its release's facts). */
export interface PromotionRecord {
  id: string;
  kind: 'promotion' | 'rollback';
  state: PromotionState;
  seq: number;
  release: { id: string; name: string; version: string; createdBy: string };
  environment: string;
  requestedBy: string;
  requestedAt: string;
  comment?: string;
  breakGlass?: { by: string; reason: string; at: string };
  decisionId?: string;
  approvedAt?: string;
  lastEvaluation?: EvaluationSummary;
  updatedAt: string;
}

export interface EnvironmentFacts {
  name: string;
  policy: EnvironmentPolicy;
  policyDigest: string;
}

export type PriorSuccess = { environment: string; promotionId: string; state: string };

/** Everything needed to decide on a new promotion, read in one statement. */
export interface RequestContext {
  release?: { id: string; name: string; version: string; createdBy: string };
  environment?: EnvironmentFacts;
  path: PromotionPath;
  priorSuccesses: PriorSuccess[];
  openPromotionId?: string;
}

/** An existing promotion, locked, with what its gates need. */
export interface LockedPromotion {
  promotion: PromotionRecord;
  transitions: TransitionView[];
  environment: EnvironmentFacts;
  path: PromotionPath;
  approvals: ApprovalView[];
  priorSuccesses: PriorSuccess[];
}

/** What one transaction changes on one promotion: written by `save` in one statement. */
export interface PromotionWrite {
  record: PromotionRecord;
  isNew: boolean;
  transitions: TransitionView[];
  decision?: { record: DecisionRecord; verdict: 'allow' | 'deny' };
  approval?: ApprovalView & { roles: readonly string[] };
}

const OPEN = `ARRAY[${OPEN_STATES.map((s) => `'${s}'`).join(', ')}]`;
const SUCCESS = `ARRAY[${SUCCESS_STATES.map((s) => `'${s}'`).join(', ')}]`;

/** The first success of the release in each environment of the path (index-backed, LIMIT 1 each). */
const PRIOR_SUCCESSES = (release: string, path: string) => `
  (SELECT coalesce(json_agg(json_build_object('environment', pe.env, 'promotionId', s.id, 'state', s.state)), '[]'::json)
   FROM unnest(${path}) AS pe(env)
   CROSS JOIN LATERAL (
     SELECT pp.id, pp.state FROM promotions pp
     WHERE pp.tenant_id = $1 AND pp.release_id = ${release} AND pp.environment = pe.env AND pp.state = ANY(${SUCCESS})
     ORDER BY pp.requested_at, pp.id LIMIT 1
   ) s)`;

interface PromotionRow {
  id: string;
  kind: 'promotion' | 'rollback';
  state: PromotionState;
  seq: number;
  release_id: string;
  release_name: string;
  release_version: string;
  release_created_by: string;
  environment: string;
  requested_by: string;
  requested_at: Date;
  comment: string | null;
  break_glass: PromotionRecord['breakGlass'] | null;
  decision_id: string | null;
  approved_at: Date | null;
  last_evaluation: EvaluationSummary | null;
  updated_at: Date;
}

const PROMOTION_COLUMNS = `p.id, p.kind, p.state, p.seq, p.release_id, r.name AS release_name, r.version AS release_version,
  r.created_by AS release_created_by, p.environment, p.requested_by, p.requested_at, p.comment, p.break_glass,
  p.decision_id, p.approved_at, p.last_evaluation, p.updated_at`;

function toRecord(row: PromotionRow): PromotionRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    seq: row.seq,
    release: { id: row.release_id, name: row.release_name, version: row.release_version, createdBy: row.release_created_by },
    environment: row.environment,
    requestedBy: row.requested_by,
    requestedAt: iso(row.requested_at),
    ...(row.comment === null ? {} : { comment: row.comment }),
    ...(row.break_glass === null ? {} : { breakGlass: row.break_glass }),
    ...(row.decision_id === null ? {} : { decisionId: row.decision_id }),
    ...(row.approved_at === null ? {} : { approvedAt: iso(row.approved_at) }),
    ...(row.last_evaluation === null ? {} : { lastEvaluation: row.last_evaluation }),
    updatedAt: iso(row.updated_at),
  };
}

interface PathJson {
  environments: string[];
  allow_skip: boolean;
  version: number;
}

function toPath(json: PathJson | null): PromotionPath {
  return json ? { environments: json.environments, allowSkip: json.allow_skip, version: json.version } : { environments: [], allowSkip: false, version: 0 };
}

function toEnvironment(json: { name: string; policy: unknown; policy_digest: string }): EnvironmentFacts {
  return { name: json.name, policy: environmentPolicySchema.parse(json.policy), policyDigest: json.policy_digest };
}

export function promotionNotFound(id: string): OrchestratorError {
  return new OrchestratorError('PROMOTION_NOT_FOUND', `promotion ${id} does not exist`, { promotionId: id });
}

@Injectable()
export class PromotionsRepository {
  async requestContext(m: EntityManager, tenant: TenantId, release: ReleaseSelector, environment: string): Promise<RequestContext> {
    const row = await queryOne<{
      release: { id: string; name: string; version: string; created_by: string } | null;
      environment: { name: string; policy: unknown; policy_digest: string } | null;
      path: PathJson | null;
      prior: PriorSuccess[] | null;
      open_promotion: string | null;
    }>(
      m,
      `WITH r AS (
         SELECT id, name, version, created_by FROM releases
         WHERE tenant_id = $1 AND (CASE WHEN $2::text IS NOT NULL THEN id = $2 ELSE name = $3 AND version = $4 END)
       ), pa AS (
         SELECT environments, allow_skip, version FROM promotion_paths WHERE tenant_id = $1
       )
       SELECT
         (SELECT row_to_json(r) FROM r) AS release,
         (SELECT json_build_object('name', e.name, 'policy', e.policy, 'policy_digest', e.policy_digest)
            FROM environments e WHERE e.tenant_id = $1 AND e.name = $5) AS environment,
         (SELECT row_to_json(pa) FROM pa) AS path,
         ${PRIOR_SUCCESSES('(SELECT id FROM r)', '(SELECT environments FROM pa)')} AS prior,
         (SELECT pp.id FROM promotions pp WHERE pp.tenant_id = $1 AND pp.release_id = (SELECT id FROM r)
            AND pp.environment = $5 AND pp.state = ANY(${OPEN}) LIMIT 1) AS open_promotion`,
      [
        tenant,
        'id' in release ? release.id : null,
        'id' in release ? null : release.name,
        'id' in release ? null : release.version,
        environment,
      ],
    );
    return {
      ...(row?.release
        ? { release: { id: row.release.id, name: row.release.name, version: row.release.version, createdBy: row.release.created_by } }
        : {}),
      ...(row?.environment ? { environment: toEnvironment(row.environment) } : {}),
      path: toPath(row?.path ?? null),
      priorSuccesses: row?.prior ?? [],
      ...(row?.open_promotion ? { openPromotionId: row.open_promotion } : {}),
    };
  }

  /**
   * Locks the promotion row (FOR UPDATE), then reads everything its gates need. Two statements on
   * purpose: under READ COMMITTED a statement that waited for the lock still reads joined rows
   * (approvals) from its own, older snapshot; the read after the lock sees what the previous
   * holder committed, so concurrent approvals are all counted.
   */
  async lock(m: EntityManager, tenant: TenantId, id: string, skipLocked = false): Promise<LockedPromotion | undefined> {
    // One round trip, two statements: the read is a statement of its own so that its snapshot is
    // taken after the lock was granted (it sees approvals committed while the lock waited).
    const [locked, rows] = await queryBatch(m, [
      { sql: `SELECT 1 FROM promotions WHERE tenant_id = $1 AND id = $2 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`, params: [tenant, id] },
      {
        sql: `SELECT ${PROMOTION_COLUMNS}, e.policy AS env_policy, e.policy_digest AS env_policy_digest,
         (SELECT row_to_json(x) FROM (SELECT environments, allow_skip, version FROM promotion_paths WHERE tenant_id = $1) x) AS path,
         (SELECT coalesce(json_agg(json_strip_nulls(json_build_object('approver', a.approver, 'time', iso_utc(a.approved_at), 'comment', a.comment))
                                   ORDER BY a.approved_at, a.approver), '[]'::json)
            FROM approvals a WHERE a.tenant_id = $1 AND a.promotion_id = p.id) AS approvals,
         ${PRIOR_SUCCESSES('p.release_id', '(SELECT environments FROM promotion_paths WHERE tenant_id = $1)')} AS prior,
         ${TRANSITIONS_JSON('0')} AS transitions
       FROM promotions p
       JOIN releases r ON r.tenant_id = p.tenant_id AND r.id = p.release_id
       JOIN environments e ON e.tenant_id = p.tenant_id AND e.name = p.environment
       WHERE p.tenant_id = $1 AND p.id = $2`,
        params: [tenant, id],
      },
    ]);
    // Skipped (SKIP LOCKED) or missing: the read must not be used without the lock.
    if (locked!.length === 0) return undefined;
    const row = rows![0] as
      | (PromotionRow & {
          env_policy: unknown;
          env_policy_digest: string;
          path: PathJson | null;
          approvals: ApprovalView[];
          prior: PriorSuccess[];
          transitions: TransitionRowJson[];
        })
      | undefined;
    if (!row) return undefined;
    return {
      promotion: toRecord(row),
      transitions: row.transitions.map(toTransition),
      environment: toEnvironment({ name: row.environment, policy: row.env_policy, policy_digest: row.env_policy_digest }),
      path: toPath(row.path),
      approvals: row.approvals,
      priorSuccesses: row.prior,
    };
  }

  /**
   * Adds a promotion's new state, its transitions, and an approval or decision to the
   * transaction's write batch (sent as one statement at commit, with the events and audit rows).
   */
  save(w: SqlBatch, tenant: TenantId, write: PromotionWrite): void {
    const r = write.record;
    const t = w.param(tenant);
    const id = w.param(r.id);
    if (write.decision) {
      const d = write.decision;
      w.add(`INSERT INTO decisions (tenant_id, id, verdict, environment, release_id, record, record_digest, created_at)
        VALUES (${t}, ${w.param(d.record.id)}, ${w.param(d.verdict)}, ${w.param(r.environment)}, ${w.param(r.release.id)},
                ${w.param(d.record.canonical)}, ${w.param(d.record.digest)}, ${w.param(d.record.record.evaluatedAt)})
        ON CONFLICT (tenant_id, id) DO NOTHING`);
    }
    if (write.approval) {
      const a = write.approval;
      w.add(`INSERT INTO approvals (tenant_id, promotion_id, approver, approved_at, comment, roles)
        VALUES (${t}, ${id}, ${w.param(a.approver)}, ${w.param(a.time)}, ${w.param(a.comment ?? null)}, ${w.param(a.roles)})`);
    }
    if (write.transitions.length > 0) {
      const x = write.transitions;
      w.add(`INSERT INTO promotion_transitions (tenant_id, promotion_id, seq, from_state, to_state, at, actor, reason, decision_id)
        SELECT ${t}, ${id}, t.seq, t.from_state, t.to_state, t.at, t.actor, t.reason, t.decision_id
        FROM unnest(${w.param(x.map((v) => v.seq))}::int[], ${w.param(x.map((v) => v.from))}::text[], ${w.param(x.map((v) => v.to))}::text[],
                    ${w.param(x.map((v) => v.at))}::timestamptz[], ${w.param(x.map((v) => v.actor))}::text[],
                    ${w.param(x.map((v) => v.reason ?? null))}::text[], ${w.param(x.map((v) => v.decisionId ?? null))}::text[])
          AS t(seq, from_state, to_state, at, actor, reason, decision_id)`);
    }
    const evaluation = r.lastEvaluation === undefined ? null : JSON.stringify(r.lastEvaluation);
    w.add(
      write.isNew
        ? `INSERT INTO promotions (tenant_id, id, release_id, environment, kind, state, seq, requested_by, requested_at, comment,
                                   break_glass, decision_id, approved_at, last_evaluation, updated_at)
           VALUES (${t}, ${id}, ${w.param(r.release.id)}, ${w.param(r.environment)}, ${w.param(r.kind)}, ${w.param(r.state)}, ${w.param(r.seq)},
                   ${w.param(r.requestedBy)}, ${w.param(r.requestedAt)}, ${w.param(r.comment ?? null)},
                   ${w.param(r.breakGlass === undefined ? null : JSON.stringify(r.breakGlass))}, ${w.param(r.decisionId ?? null)},
                   ${w.param(r.approvedAt ?? null)}, ${w.param(evaluation)}, ${w.param(r.updatedAt)})`
        : `UPDATE promotions SET state = ${w.param(r.state)}, seq = ${w.param(r.seq)}, decision_id = ${w.param(r.decisionId ?? null)},
             approved_at = ${w.param(r.approvedAt ?? null)}, last_evaluation = ${w.param(evaluation)}, updated_at = ${w.param(r.updatedAt)}
           WHERE tenant_id = ${t} AND id = ${id}`,
    );
    w.onError((error) => {
      if (isUniqueViolation(error, 'promotions_one_open_key')) {
        return new OrchestratorError(
          'PROMOTION_ALREADY_ACTIVE',
          `${r.release.name}@${r.release.version} already has an open promotion into ${r.environment}`,
          { release: r.release.id, environment: r.environment },
        );
      }
      if (isUniqueViolation(error, 'approvals_pkey')) {
        return new OrchestratorError('DUPLICATE_APPROVAL', `${write.approval?.approver} already approved this promotion`, {
          promotionId: r.id,
        });
      }
      return undefined;
    });
  }

  /**
   * Takes the environment's deployment slot lock (its row, FOR NO KEY UPDATE, held until commit)
   * and says whether a deployment is running there. With `skipLocked`, answers `locked` instead of
   * waiting when another transaction holds it: the caller queues its promotion rather than
   * serializing on the slot (the dispatcher starts it after commit).
   */
  async lockDeploymentSlot(
    m: EntityManager,
    tenant: TenantId,
    environment: string,
    skipLocked = false,
  ): Promise<{ locked: boolean; busy: boolean }> {
    const got = await query(
      m,
      `SELECT 1 FROM environments WHERE tenant_id = $1 AND name = $2 FOR NO KEY UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
      [tenant, environment],
    );
    if (got.length === 0) return { locked: true, busy: true };
    // A separate statement: it reads with a snapshot taken after the lock was granted.
    const row = await queryOne<{ busy: boolean }>(
      m,
      `SELECT EXISTS (SELECT 1 FROM promotions WHERE tenant_id = $1 AND environment = $2 AND state = 'deploying') AS busy`,
      [tenant, environment],
    );
    return { locked: false, busy: row?.busy ?? false };
  }

  /** Tenants and environments with approved promotions waiting for their slot (the dispatcher's sweep). */
  async queuedEnvironments(m: EntityManager, limit: number): Promise<Array<{ tenant: string; environment: string }>> {
    const rows = await query<{ tenant_id: string; environment: string }>(
      m,
      `SELECT DISTINCT tenant_id, environment FROM promotions WHERE state = 'approved' LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ tenant: r.tenant_id, environment: r.environment }));
  }

  /**
   * The oldest approved promotion waiting for the environment's slot, skipping rows other
   * transactions are changing and the ones this transaction already handled (`exclude`).
   */
  async nextQueued(m: EntityManager, tenant: TenantId, environment: string, exclude: readonly string[] = []): Promise<string | undefined> {
    const row = await queryOne<{ id: string }>(
      m,
      `SELECT id FROM promotions WHERE tenant_id = $1 AND environment = $2 AND state = 'approved' AND NOT (id = ANY($3::uuid[]))
       ORDER BY approved_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [tenant, environment, exclude],
    );
    return row?.id;
  }

  /** Makes the release the one running in the environment; the previous deployment ends now. */
  async recordDeployment(
    m: EntityManager,
    tenant: TenantId,
    deployment: { environment: string; releaseId: string; promotionId: string; kind: string; at: string },
  ): Promise<void> {
    await query(
      m,
      `UPDATE deployments SET superseded_at = $3 WHERE tenant_id = $1 AND environment = $2 AND superseded_at IS NULL`,
      [tenant, deployment.environment, deployment.at],
    );
    await query(
      m,
      `INSERT INTO deployments (tenant_id, environment, release_id, promotion_id, kind, deployed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [tenant, deployment.environment, deployment.releaseId, deployment.promotionId, deployment.kind, deployment.at],
    );
  }

  async view(m: EntityManager, tenant: TenantId, id: string): Promise<PromotionView> {
    const [view] = await this.views(m, tenant, 'p.tenant_id = $1 AND p.id = $2', [tenant, id], 1);
    if (!view) throw promotionNotFound(id);
    return view;
  }

  async list(
    m: EntityManager,
    tenant: TenantId,
    filter: { environment?: string; state?: PromotionState; releaseId?: string; limit: number; before?: { requestedAt: string; id: string } },
  ): Promise<PromotionView[]> {
    const params: unknown[] = [tenant];
    let where = 'p.tenant_id = $1';
    if (filter.environment !== undefined) {
      params.push(filter.environment);
      where += ` AND p.environment = $${params.length}`;
    }
    if (filter.state !== undefined) {
      params.push(filter.state);
      where += ` AND p.state = $${params.length}`;
    }
    if (filter.releaseId !== undefined) {
      params.push(filter.releaseId);
      where += ` AND p.release_id = $${params.length}`;
    }
    if (filter.before) {
      params.push(filter.before.requestedAt, filter.before.id);
      where += ` AND (p.requested_at, p.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    return this.views(m, tenant, where, params, filter.limit);
  }

  async transitionsAfter(m: EntityManager, tenant: TenantId, id: string, afterSeq: number): Promise<{ state: PromotionState; transitions: TransitionView[] } | undefined> {
    const row = await queryOne<{ state: PromotionState; transitions: TransitionRowJson[] }>(
      m,
      `SELECT p.state, ${TRANSITIONS_JSON('$3')} AS transitions FROM promotions p WHERE p.tenant_id = $1 AND p.id = $2`,
      [tenant, id, afterSeq],
    );
    if (!row) return undefined;
    return { state: row.state, transitions: row.transitions.map(toTransition) };
  }

  private async views(m: EntityManager, _tenant: TenantId, where: string, params: unknown[], limit: number): Promise<PromotionView[]> {
    params.push(limit);
    const rows = await query<PromotionRow & { approvals: ApprovalView[]; transitions: TransitionRowJson[] }>(
      m,
      `SELECT ${PROMOTION_COLUMNS},
         (SELECT coalesce(json_agg(json_strip_nulls(json_build_object('approver', a.approver, 'time', iso_utc(a.approved_at), 'comment', a.comment))
                                   ORDER BY a.approved_at, a.approver), '[]'::json)
            FROM approvals a WHERE a.tenant_id = p.tenant_id AND a.promotion_id = p.id) AS approvals,
         ${TRANSITIONS_JSON('0')} AS transitions
       FROM promotions p JOIN releases r ON r.tenant_id = p.tenant_id AND r.id = p.release_id
       WHERE ${where}
       ORDER BY p.requested_at DESC, p.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => toView(toRecord(row), row.approvals, row.transitions.map(toTransition)));
  }
}

interface TransitionRowJson {
  seq: number;
  from: PromotionState | null;
  to: PromotionState;
  at: string;
  actor: string;
  reason?: string;
  decisionId?: string;
}

const TRANSITIONS_JSON = (afterSeq: string) => `
  (SELECT coalesce(json_agg(json_strip_nulls(json_build_object('seq', t.seq, 'from', t.from_state, 'to', t.to_state,
             'at', iso_utc(t.at), 'actor', t.actor, 'reason', t.reason, 'decisionId', t.decision_id)) ORDER BY t.seq), '[]'::json)
   FROM promotion_transitions t WHERE t.tenant_id = p.tenant_id AND t.promotion_id = p.id AND t.seq > ${afterSeq})`;

function toTransition(t: TransitionRowJson): TransitionView {
  // json_strip_nulls drops a null `from`; the first transition has none.
  return { ...t, from: t.from ?? null };
}

export function toView(record: PromotionRecord, approvals: ApprovalView[], transitions: TransitionView[]): PromotionView {
  return {
    id: record.id,
    kind: record.kind,
    state: record.state,
    release: { id: record.release.id, name: record.release.name, version: record.release.version },
    environment: record.environment,
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    ...(record.comment === undefined ? {} : { comment: record.comment }),
    ...(record.breakGlass === undefined ? {} : { breakGlass: record.breakGlass }),
    ...(record.decisionId === undefined ? {} : { decisionId: record.decisionId }),
    ...(record.lastEvaluation === undefined ? {} : { lastEvaluation: record.lastEvaluation }),
    approvals,
    transitions,
    updatedAt: record.updatedAt,
  };
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrchestratorError } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { iso, queryOne } from '../persistence/sql';

export interface DecisionView {
  id: string;
  verdict: 'allow' | 'deny';
  environment: string;
  releaseId: string;
  /** sha256 of `record`'s canonical JSON. */
  recordDigest: string;
  /** The decision-record predicate v1, exactly as stored (canonical JSON parsed). */
  record: Record<string, unknown>;
  createdAt: string;
}

@Injectable()
export class DecisionsRepository {
  async get(m: EntityManager, tenant: TenantId, id: string): Promise<DecisionView> {
    const row = await queryOne<{
      id: string;
      verdict: 'allow' | 'deny';
      environment: string;
      release_id: string;
      record: string;
      record_digest: string;
      created_at: Date;
    }>(m, 'SELECT id, verdict, environment, release_id, record, record_digest, created_at FROM decisions WHERE tenant_id = $1 AND id = $2', [
      tenant,
      id,
    ]);
    if (!row) throw new OrchestratorError('DECISION_NOT_FOUND', `decision ${id} does not exist`, { decisionId: id });
    return {
      id: row.id,
      verdict: row.verdict,
      environment: row.environment,
      releaseId: row.release_id,
      recordDigest: row.record_digest,
      record: JSON.parse(row.record) as Record<string, unknown>,
      createdAt: iso(row.created_at),
    };
  }
}

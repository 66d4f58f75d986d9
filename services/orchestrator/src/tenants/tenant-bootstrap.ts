import { Inject, Injectable } from '@nestjs/common';
import { OutboxWriter } from '@stella/bus';
import { withTransaction } from '@stella/db';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource } from 'typeorm';
import { AUDIT_GENESIS_HASH, type AuditEntryContent } from '../audit/audit-chain';
import { AuditLogRepository } from '../audit/audit-log.repository';
import type { Clock } from '../common/clock';
import type { TenantId } from '../common/tenancy';
import { ORCHESTRATOR_CLOCK } from '../common/tokens';
import { defaultEnvironments, policyDigestOf } from '../environments/environment.model';
import { OrchestratorEvents } from '../events/orchestrator-events';
import { query } from '../persistence/sql';

const SYSTEM_ACTOR = { type: 'system', id: 'orchestrator' } as const;

/**
 * A tenant exists in the orchestrator from its first request on: its audit chain head and the
 * default promotion path (dev -> stage -> prod) are created then, once, and audited.
 */
@Injectable()
export class TenantBootstrap {
  private readonly known = new Set<string>();

  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly auditLog: AuditLogRepository,
    private readonly events: OrchestratorEvents,
    @Inject(ORCHESTRATOR_CLOCK) private readonly clock: Clock,
  ) {}

  async ensure(tenant: TenantId): Promise<void> {
    if (this.known.has(tenant)) return;
    await withTransaction(this.dataSource, async (manager) => {
      const now = this.clock.now();
      const inserted = await query(
        manager,
        'INSERT INTO tenants (tenant_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING tenant_id',
        [tenant, now],
      );
      if (inserted.length === 0) return;
      await query(manager, 'INSERT INTO audit_heads (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)', [
        tenant,
        AUDIT_GENESIS_HASH,
      ]);
      const environments = defaultEnvironments();
      const actor = `${SYSTEM_ACTOR.type}:${SYSTEM_ACTOR.id}`;
      await query(
        manager,
        `INSERT INTO environments (tenant_id, name, display_name, policy, policy_digest, version, created_at, created_by, updated_at)
         SELECT $1, e.name, e.display_name, e.policy, e.policy_digest, 1, $2, $3, $2
         FROM unnest($4::text[], $5::text[], $6::jsonb[], $7::text[]) AS e(name, display_name, policy, policy_digest)`,
        [
          tenant,
          now,
          actor,
          environments.map((e) => e.name),
          environments.map((e) => e.displayName),
          environments.map((e) => JSON.stringify(e.policy)),
          environments.map((e) => policyDigestOf(e.policy)),
        ],
      );
      const names = environments.map((e) => e.name);
      await query(
        manager,
        'INSERT INTO promotion_paths (tenant_id, environments, allow_skip, version, updated_at) VALUES ($1, $2, false, 1, $3)',
        [tenant, names, now],
      );
      const at = now.toISOString();
      const audit: AuditEntryContent[] = [
        ...environments.map((e) => ({
          action: 'environment.created',
          subject: { type: 'environment', id: e.name },
          actor,
          at,
          data: { displayName: e.displayName, policy: e.policy, policyDigest: policyDigestOf(e.policy), default: true },
        })),
        {
          action: 'promotion_path.updated',
          subject: { type: 'promotion_path', id: tenant },
          actor,
          at,
          data: { environments: names, allowSkip: false, version: 1 },
        },
      ];
      await this.outbox.enqueueMany(manager, [
        ...environments.map((e) =>
          this.events.build(
            'stella.orchestrator.environment.created',
            tenant,
            { tenantId: tenant, environment: e.name, policyDigest: policyDigestOf(e.policy), actor: SYSTEM_ACTOR },
            e.name,
            now,
          ),
        ),
        this.events.build(
          'stella.orchestrator.promotion_path.updated',
          tenant,
          { tenantId: tenant, environments: names, allowSkip: false, actor: SYSTEM_ACTOR },
          undefined,
          now,
        ),
      ]);
      await this.auditLog.append(manager, tenant, audit);
    });
    this.known.add(tenant);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { STELLA_CONFIG } from '@stella/platform';
import { z } from 'zod';
import type { AuditVerification } from '../audit/audit-chain';
import { AuditChainer } from '../audit/audit-chainer';
import { AuditLogRepository, type AuditEntryView } from '../audit/audit-log.repository';
import { parseCommand } from '../common/command';
import { OrchestratorError } from '../common/errors';
import { environmentName, promotionId, sha256Digest, utcTimestamp } from '../common/schemas';
import type { TenantId } from '../common/tenancy';
import { ComponentsRepository, type ComponentView } from '../components/components.repository';
import type { OrchestratorConfig } from '../config/orchestrator-config';
import { DecisionsRepository, type DecisionView } from '../decisions/decisions.repository';
import type { EnvironmentView, PromotionPath } from '../environments/environment.model';
import { EnvironmentsRepository } from '../environments/environments.repository';
import { InventoryRepository, type DeploymentView } from '../inventory/inventory.repository';
import { UnitOfWork } from '../persistence/unit-of-work';
import { PROMOTION_STATES, type PromotionState, type PromotionView } from '../promotions/promotion.model';
import { PromotionsRepository } from '../promotions/promotions.repository';
import type { ReleaseView } from '../releases/release.model';
import { ReleasesRepository, type ReleaseSelector } from '../releases/releases.repository';
import { TenantBootstrap } from '../tenants/tenant-bootstrap';
import { decodeCursor, encodeCursor } from './cursor';

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export const atQuery = utcTimestamp.optional();

/** The read side: every query is tenant-scoped and a fixed number of statements (no N+1). */
@Injectable()
export class OrchestratorQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantBootstrap,
    private readonly environments: EnvironmentsRepository,
    private readonly components: ComponentsRepository,
    private readonly releases: ReleasesRepository,
    private readonly promotions: PromotionsRepository,
    private readonly decisions: DecisionsRepository,
    private readonly inventory: InventoryRepository,
    private readonly audit: AuditLogRepository,
    private readonly chainer: AuditChainer,
    @Inject(STELLA_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  private async m(tenant: TenantId) {
    await this.tenants.ensure(tenant);
    return this.uow.manager;
  }

  private limit(limit: number | undefined): number {
    return Math.min(limit ?? 100, this.config.orchestratorMaxPageSize);
  }

  async environmentsWithPath(tenant: TenantId): Promise<{ items: EnvironmentView[]; path: PromotionPath }> {
    const m = await this.m(tenant);
    const [list, path] = await Promise.all([this.environments.list(m, tenant), this.environments.path(m, tenant)]);
    const items = list
      .map((e) => ({ ...e, position: path.environments.indexOf(e.name) }))
      .sort((a, b) => a.position - b.position);
    return { items, path };
  }

  async environment(tenant: TenantId, name: string): Promise<EnvironmentView> {
    parseCommand(environmentName, name, 'environment name');
    const m = await this.m(tenant);
    const [env, path] = await Promise.all([this.environments.get(m, tenant, name), this.environments.path(m, tenant)]);
    return { ...env, position: path.environments.indexOf(name) };
  }

  async path(tenant: TenantId): Promise<PromotionPath> {
    return this.environments.path(await this.m(tenant), tenant);
  }

  async componentList(tenant: TenantId): Promise<{ items: ComponentView[] }> {
    return { items: await this.components.list(await this.m(tenant), tenant) };
  }

  async release(tenant: TenantId, selector: ReleaseSelector): Promise<ReleaseView> {
    return this.releases.get(await this.m(tenant), tenant, selector);
  }

  async releaseList(tenant: TenantId, filter: { name?: string; limit?: number; cursor?: string }): Promise<Page<ReleaseView>> {
    const limit = this.limit(filter.limit);
    const before = decodeCursor(filter.cursor, ['createdAt', 'id'] as const);
    const items = await this.releases.list(await this.m(tenant), tenant, {
      ...(filter.name === undefined ? {} : { name: filter.name }),
      limit,
      ...(before ? { before } : {}),
    });
    const last = items[items.length - 1];
    return { items, ...(items.length === limit && last ? { nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) } : {}) };
  }

  async promotion(tenant: TenantId, id: string): Promise<PromotionView> {
    parseCommand(promotionId, id, 'promotion id');
    return this.promotions.view(await this.m(tenant), tenant, id);
  }

  async promotionList(
    tenant: TenantId,
    filter: { environment?: string; state?: string; release?: string; limit?: number; cursor?: string },
  ): Promise<Page<PromotionView>> {
    const state = filter.state === undefined ? undefined : parseCommand(z.enum(PROMOTION_STATES), filter.state, 'state filter');
    if (filter.release !== undefined) parseCommand(sha256Digest, filter.release, 'release filter');
    const limit = this.limit(filter.limit);
    const before = decodeCursor(filter.cursor, ['requestedAt', 'id'] as const);
    const items = await this.promotions.list(await this.m(tenant), tenant, {
      ...(filter.environment === undefined ? {} : { environment: filter.environment }),
      ...(state === undefined ? {} : { state: state as PromotionState }),
      ...(filter.release === undefined ? {} : { releaseId: filter.release }),
      limit,
      ...(before ? { before } : {}),
    });
    const last = items[items.length - 1];
    return { items, ...(items.length === limit && last ? { nextCursor: encodeCursor({ requestedAt: last.requestedAt, id: last.id }) } : {}) };
  }

  async decision(tenant: TenantId, id: string): Promise<DecisionView> {
    return this.decisions.get(await this.m(tenant), tenant, id);
  }

  async inventoryAt(tenant: TenantId, at?: string): Promise<{ at: string | null; environments: Array<{ name: string; running?: DeploymentView }> }> {
    const instant = at === undefined ? undefined : new Date(parseCommand(utcTimestamp, at, 'at'));
    const m = await this.m(tenant);
    const [running, path] = await Promise.all([this.inventory.running(m, tenant, instant), this.environments.path(m, tenant)]);
    const byEnv = new Map(running.map((d) => [d.environment, d]));
    return {
      at: instant ? instant.toISOString() : null,
      environments: path.environments.map((name) => ({ name, ...(byEnv.has(name) ? { running: byEnv.get(name)! } : {}) })),
    };
  }

  async whereDigestRuns(tenant: TenantId, digest: string, at?: string): Promise<{ digest: string; at: string | null; deployments: DeploymentView[] }> {
    parseCommand(sha256Digest, digest, 'digest');
    const instant = at === undefined ? undefined : new Date(parseCommand(utcTimestamp, at, 'at'));
    const deployments = await this.inventory.whereDigestRuns(await this.m(tenant), tenant, digest, instant);
    return { digest, at: instant ? instant.toISOString() : null, deployments };
  }

  async history(tenant: TenantId, environment: string, filter: { limit?: number; cursor?: string }): Promise<Page<DeploymentView>> {
    const m = await this.m(tenant);
    await this.environments.get(m, tenant, environment);
    const limit = this.limit(filter.limit);
    const before = decodeCursor(filter.cursor, ['id'] as const);
    const rows = await this.inventory.history(m, tenant, environment, limit, before?.id);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ id: _id, ...view }) => view),
      ...(rows.length === limit && last ? { nextCursor: encodeCursor({ id: last.id }) } : {}),
    };
  }

  async auditEntries(tenant: TenantId, filter: { afterSeq?: number; limit?: number }): Promise<Page<AuditEntryView>> {
    const limit = this.limit(filter.limit);
    if (filter.afterSeq !== undefined && (!Number.isInteger(filter.afterSeq) || filter.afterSeq < 0)) {
      throw new OrchestratorError('VALIDATION_FAILED', 'afterSeq must be a non-negative integer', {
        errors: [{ path: 'afterSeq', message: 'non-negative integer' }],
      });
    }
    const m = await this.m(tenant);
    await this.chainer.flush(tenant);
    const items = await this.audit.list(m, tenant, filter.afterSeq ?? 0, limit);
    const last = items[items.length - 1];
    return { items, ...(items.length === limit && last ? { nextCursor: String(last.seq) } : {}) };
  }

  async verifyAudit(tenant: TenantId): Promise<AuditVerification> {
    const m = await this.m(tenant);
    await this.chainer.flush(tenant);
    return this.audit.verify(m, tenant);
  }
}

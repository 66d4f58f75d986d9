import { Inject, Injectable } from '@nestjs/common';
import { withTransaction } from '@stella/db';
import { ProblemError, STELLA_CONFIG, STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource } from 'typeorm';
import { POLICY_CLOCK, POLICY_IDS, type Clock, type IdGenerator } from '../common/ports';
import type { PolicyConfig } from '../config/policy-config';
import { checkApproval, checkExpiry, checkRevocation, type ExceptionRecord } from './exception.model';
import { ExceptionsRepository } from './exceptions.repository';

export interface RequestExceptionCommand {
  tenantId: string;
  actor: string;
  vulnerability: string;
  component: string;
  environment: string;
  reason: string;
  expiresAt: Date;
}

/** Request, approve (by someone else), revoke. Expiry needs no job: evaluations compare it to their time. */
@Injectable()
export class ExceptionsService {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: PolicyConfig,
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    @Inject(POLICY_IDS) private readonly ids: IdGenerator,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly repository: ExceptionsRepository,
  ) {}

  async request(command: RequestExceptionCommand): Promise<ExceptionRecord> {
    const now = this.clock.now();
    checkExpiry(command.expiresAt, now, this.config.policyExceptionMaxDays);
    const record: ExceptionRecord = {
      id: this.ids.newId(),
      tenantId: command.tenantId,
      vulnerabilityId: command.vulnerability,
      component: command.component,
      environment: command.environment,
      reason: command.reason,
      expiresAt: command.expiresAt,
      status: 'requested',
      requestedBy: command.actor,
      requestedAt: now,
      approvedBy: null,
      approvedAt: null,
      revokedBy: null,
      revokedAt: null,
      revokeReason: null,
    };
    await this.repository.insert(record);
    return record;
  }

  approve(tenantId: string, id: string, approver: string): Promise<ExceptionRecord> {
    return withTransaction(this.dataSource, async (manager) => {
      const existing = await this.found(tenantId, id, manager);
      const now = this.clock.now();
      checkApproval(existing, approver, now);
      await this.repository.approve(manager, tenantId, id, approver, now);
      return { ...existing, status: 'approved' as const, approvedBy: approver, approvedAt: now };
    });
  }

  revoke(tenantId: string, id: string, by: string, reason: string): Promise<ExceptionRecord> {
    return withTransaction(this.dataSource, async (manager) => {
      const existing = await this.found(tenantId, id, manager);
      checkRevocation(existing);
      const now = this.clock.now();
      await this.repository.revoke(manager, tenantId, id, by, now, reason);
      return { ...existing, status: 'revoked' as const, revokedBy: by, revokedAt: now, revokeReason: reason };
    });
  }

  private async found(tenantId: string, id: string, manager: Parameters<ExceptionsRepository['find']>[0]) {
    const existing = await this.repository.find(manager, tenantId, id, true);
    if (!existing)
      throw new ProblemError(404, { type: 'exception-not-found', title: 'Exception not found', detail: id });
    return existing;
  }
}

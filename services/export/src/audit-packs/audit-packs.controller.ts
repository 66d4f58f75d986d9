import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, TenantId, type Principal } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { ExportError } from '../common/export-error';
import { toHttpProblem } from '../common/problems';
import { EVIDENCE_EXPORT_SCOPE, EVIDENCE_READ_SCOPE } from '../common/scopes';
import { EXPORT_OBJECT_STORE, EXPORT_REPOSITORY } from '../common/tokens';
import type { AuditPackRow, ExportRepository } from '../packets/export.repository';
import type { ObjectStore } from '../storage/object-store';
import { createAuditPackSchema, CreateAuditPackUseCase } from './create-audit-pack.usecase';

const auditPackId = z.string().regex(/^apk_[0-9a-f]{32}$/, 'an audit pack id (apk_ + 32 hex)');

function view(row: AuditPackRow) {
  return {
    id: row.auditPackId,
    environment: row.environment,
    from: row.rangeFrom.toISOString(),
    to: row.rangeTo.toISOString(),
    decisions: row.decisionCount,
    sha256: row.sha256,
    size: row.sizeBytes,
    retentionClass: row.retentionClass,
    expiresAt: row.expiresAt.toISOString(),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    content: `/api/v1/audit-packs/${row.auditPackId}/content`,
  };
}

@Controller('api/v1/audit-packs')
@UseGuards(AuthGuard)
export class AuditPacksController {
  constructor(
    @Inject(CreateAuditPackUseCase) private readonly create: CreateAuditPackUseCase,
    @Inject(EXPORT_REPOSITORY) private readonly packs: { repository: ExportRepository; manager: import('typeorm').EntityManager },
    @Inject(EXPORT_OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  /** Builds (or finds) the audit pack of an environment and range: 201 when built, 200 when it existed. */
  @Post()
  @HttpCode(201)
  @Scopes(EVIDENCE_EXPORT_SCOPE)
  async post(
    @TenantId() tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(createAuditPackSchema)) body: z.infer<typeof createAuditPackSchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const result = await this.create.execute({ ...body, tenantId, requestedBy: principal.subject });
      if (!result.created) res.status(200);
      return view(result.pack);
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  @Get(':id')
  @Scopes(EVIDENCE_READ_SCOPE)
  async get(@TenantId() tenantId: string, @Param('id', new ZodValidationPipe(auditPackId)) id: string) {
    try {
      return view(await this.find(tenantId, id));
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  @Get(':id/content')
  @Scopes(EVIDENCE_READ_SCOPE)
  async content(@TenantId() tenantId: string, @Param('id', new ZodValidationPipe(auditPackId)) id: string): Promise<StreamableFile> {
    try {
      const row = await this.find(tenantId, id);
      const data = await this.store.get(row.objectKey);
      return new StreamableFile(data, { type: 'application/x-tar', length: data.length, disposition: `attachment; filename="${row.auditPackId}.tar"` });
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  private async find(tenantId: string, id: string): Promise<AuditPackRow> {
    const row = await this.packs.repository.auditPack(this.packs.manager, tenantId, id);
    if (row === undefined) throw new ExportError('AUDIT_PACK_NOT_FOUND', `no audit pack ${id}`, { auditPackId: id });
    return row;
  }
}

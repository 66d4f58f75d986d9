import { Controller, Get, Inject, Param, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { AuthGuard, Scopes, TenantId } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { ExportError } from '../common/export-error';
import { toHttpProblem } from '../common/problems';
import { EVIDENCE_READ_SCOPE } from '../common/scopes';
import { EXPORT_OBJECT_STORE, EXPORT_REPOSITORY } from '../common/tokens';
import type { ObjectStore } from '../storage/object-store';
import type { ExportRepository, PacketRow } from './export.repository';

const packetId = z.string().regex(/^pkt_[0-9a-f]{32}$/, 'a packet id (pkt_ + 32 hex)');
const listQuerySchema = z.strictObject({
  decision: z.string().regex(/^dec_[0-9a-f]{32}$/, 'a decision id (dec_ + 32 hex)').optional(),
  environment: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function packetView(row: PacketRow) {
  return {
    id: row.packetId,
    decisionId: row.decisionId,
    environment: row.environment,
    verdict: row.verdict,
    releaseManifestDigest: row.releaseDigest,
    evaluatedAt: row.evaluatedAt.toISOString(),
    attestationId: row.attestationId,
    logIndex: row.logIndex,
    sha256: row.sha256,
    size: row.sizeBytes,
    retentionClass: row.retentionClass,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    content: `/api/v1/packets/${row.packetId}/content`,
  };
}

@Controller('api/v1/packets')
@UseGuards(AuthGuard)
export class PacketsController {
  constructor(
    @Inject(EXPORT_REPOSITORY) private readonly packets: { repository: ExportRepository; manager: import('typeorm').EntityManager },
    @Inject(EXPORT_OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  @Get()
  @Scopes(EVIDENCE_READ_SCOPE)
  async list(@TenantId() tenantId: string, @Query(new ZodValidationPipe(listQuerySchema)) query: z.infer<typeof listQuerySchema>) {
    const rows = await this.packets.repository.listPackets(this.packets.manager, tenantId, {
      ...(query.decision ? { decision: query.decision } : {}),
      ...(query.environment ? { environment: query.environment } : {}),
      limit: query.limit,
    });
    return { packets: rows.map(packetView) };
  }

  @Get(':id')
  @Scopes(EVIDENCE_READ_SCOPE)
  async get(@TenantId() tenantId: string, @Param('id', new ZodValidationPipe(packetId)) id: string) {
    try {
      return packetView(await this.find(tenantId, id));
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  /** The packet itself (a deterministic tar); its sha256 is the ETag. */
  @Get(':id/content')
  @Scopes(EVIDENCE_READ_SCOPE)
  async content(@TenantId() tenantId: string, @Param('id', new ZodValidationPipe(packetId)) id: string): Promise<StreamableFile> {
    try {
      const row = await this.find(tenantId, id);
      const data = await this.store.get(row.objectKey);
      return new StreamableFile(data, {
        type: 'application/x-tar',
        length: data.length,
        disposition: `attachment; filename="${row.decisionId}.tar"`,
      });
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  private async find(tenantId: string, id: string): Promise<PacketRow> {
    const row = await this.packets.repository.packet(this.packets.manager, tenantId, id);
    if (row === undefined) throw new ExportError('PACKET_NOT_FOUND', `no packet ${id}`, { packetId: id });
    return row;
  }
}

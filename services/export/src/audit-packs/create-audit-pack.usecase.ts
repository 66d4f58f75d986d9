import { contentId } from '@stella/canonical';
import { buildAuditPack, type ManifestSigner } from '@stella/evidence';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Clock } from '../common/clock';
import { ExportError } from '../common/export-error';
import type { ExportEvents } from '../events/export-events';
import type { AuditPackRow, ExportRepository } from '../packets/export.repository';
import { retentionOf, type RetentionPolicy } from '../retention/retention';
import type { ObjectStore } from '../storage/object-store';

const utc = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

/** POST /api/v1/audit-packs body; validated when the command is made. */
export const createAuditPackSchema = z
  .strictObject({
    environment: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'an environment name'),
    from: utc,
    to: utc,
  })
  // Runs even when a bound failed to parse (then it is still a string): only compare real instants.
  .refine((b) => !(b.from instanceof Date && b.to instanceof Date) || b.to.getTime() > b.from.getTime(), { error: 'to must be after from', path: ['to'] });

export type CreateAuditPackCommand = z.infer<typeof createAuditPackSchema> & { tenantId: string; requestedBy: string };

export function auditPackKey(tenantId: string, auditPackId: string): string {
  return `audit-packs/${tenantId}/${auditPackId}.tar`;
}

/**
 * Every decision packet of an environment in [from, to) in one signed, deterministic archive.
 * Its id is derived from the request and the packets it holds, so asking again for the same
 * range returns the same stored pack (same bytes) instead of building another.
 */
export class CreateAuditPackUseCase {
  constructor(
    private readonly repository: ExportRepository,
    private readonly manager: EntityManager,
    private readonly store: ObjectStore,
    private readonly signer: ManifestSigner,
    private readonly retention: RetentionPolicy,
    private readonly clock: Clock,
    private readonly maxBytes: number,
    private readonly events: ExportEvents,
  ) {}

  async execute(command: CreateAuditPackCommand): Promise<{ pack: AuditPackRow; created: boolean }> {
    const packets = await this.repository.packetsInRange(this.manager, command.tenantId, command.environment, command.from, command.to);
    if (packets.length === 0) {
      throw new ExportError('NO_DECISIONS', `no decision packets for ${command.environment} in the range`, {
        environment: command.environment,
        from: command.from.toISOString(),
        to: command.to.toISOString(),
      });
    }
    const total = packets.reduce((sum, p) => sum + p.sizeBytes, 0);
    if (total > this.maxBytes) throw new ExportError('AUDIT_PACK_TOO_LARGE', `the range holds ${total} bytes of packets, more than ${this.maxBytes}`, { bytes: total });
    const from = command.from.toISOString();
    const to = command.to.toISOString();
    const auditPackId = contentId('apk', { tenant: command.tenantId, environment: command.environment, from, to, packets: packets.map((p) => p.sha256) });
    const existing = await this.repository.auditPack(this.manager, command.tenantId, auditPackId);
    if (existing) return { pack: existing, created: false };

    const archives = await Promise.all(packets.map(async (p) => ({ row: p, archive: await this.store.get(p.objectKey) })));
    const caPem = await this.caOf(archives[0]!.archive);
    const now = this.clock.now();
    const built = await buildAuditPack(
      {
        tenant: command.tenantId,
        environment: command.environment,
        from,
        to,
        signingTime: now.toISOString(),
        caPem,
        packets: archives.map(({ row, archive }) => ({ decisionId: row.decisionId, evaluatedAt: row.evaluatedAt.toISOString(), verdict: row.verdict, archive })),
      },
      this.signer,
    );
    const retention = retentionOf(this.retention, command.environment, now);
    const key = auditPackKey(command.tenantId, auditPackId);
    await this.store.put(key, built.archive, {
      'x-amz-meta-stella-sha256': built.sha256,
      'x-amz-meta-stella-retention-class': retention.retentionClass,
      'x-amz-meta-stella-expires-at': retention.expiresAt.toISOString(),
    });
    const pack: AuditPackRow = {
      auditPackId,
      tenantId: command.tenantId,
      environment: command.environment,
      rangeFrom: command.from,
      rangeTo: command.to,
      decisionCount: packets.length,
      objectKey: key,
      sha256: built.sha256,
      sizeBytes: built.archive.length,
      retentionClass: retention.retentionClass,
      expiresAt: retention.expiresAt,
      createdBy: command.requestedBy,
      createdAt: now,
    };
    // The row and its event in one transaction (outbox).
    const created = await this.manager.transaction(async (m) => {
      const inserted = await this.repository.insertAuditPack(m, pack);
      if (inserted) {
        await this.events.record(
          m,
          'stella.export.audit_pack.created',
          { tenantId: pack.tenantId, auditPackId, environment: pack.environment, from, to, decisions: pack.decisionCount, sha256: pack.sha256 as `sha256:${string}`, createdBy: pack.createdBy },
          now,
          auditPackId,
        );
      }
      return inserted;
    });
    if (!created) {
      // Built twice at once: the first stored wins; answer with it.
      const winner = await this.repository.auditPack(this.manager, command.tenantId, auditPackId);
      if (winner) return { pack: winner, created: false };
    }
    return { pack, created: true };
  }

  /** The root CA the packets' chains end at (their certs/ca.pem). */
  private async caOf(archive: Buffer): Promise<string> {
    const { readArchive, PacketPaths } = await import('@stella/evidence');
    const ca = (await readArchive(archive)).get(PacketPaths.ca);
    if (ca === undefined) throw new ExportError('OBJECT_MISSING', 'a stored packet has no certs/ca.pem');
    return ca.toString('utf8');
  }
}

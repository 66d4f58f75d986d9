import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredSbom } from '../storage/sbom-store';

export type ScanStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ScanRow {
  scanId: string;
  tenantId: string;
  imageDigest: string;
  platform: string;
  repository: string;
  requestedRef: string;
  status: ScanStatus;
  attempts: number;
  platformDigest: string | null;
  configDigest: string | null;
  componentCount: number | null;
  sboms: { cyclonedx: StoredSbom; spdx: StoredSbom } | null;
  errorCode: string | null;
  errorMessage: string | null;
  refused: boolean;
  scannerVersion: string | null;
  analyzerVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

interface RawScan {
  scan_id: string;
  tenant_id: string;
  image_digest: string;
  platform: string;
  repository: string;
  requested_ref: string;
  status: ScanStatus;
  attempts: number;
  platform_digest: string | null;
  config_digest: string | null;
  component_count: number | null;
  sboms: ScanRow['sboms'];
  error_code: string | null;
  error_message: string | null;
  refused: boolean;
  scanner_version: string | null;
  analyzer_version: number | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

function toRow(raw: RawScan): ScanRow {
  return {
    scanId: raw.scan_id,
    tenantId: raw.tenant_id,
    imageDigest: raw.image_digest,
    platform: raw.platform,
    repository: raw.repository,
    requestedRef: raw.requested_ref,
    status: raw.status,
    attempts: raw.attempts,
    platformDigest: raw.platform_digest,
    configDigest: raw.config_digest,
    componentCount: raw.component_count,
    sboms: raw.sboms,
    errorCode: raw.error_code,
    errorMessage: raw.error_message,
    refused: raw.refused,
    scannerVersion: raw.scanner_version,
    analyzerVersion: raw.analyzer_version,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    completedAt: raw.completed_at,
  };
}

export interface NewScan {
  scanId: string;
  tenantId: string;
  imageDigest: string;
  platform: string;
  repository: string;
  requestedRef: string;
  now: Date;
}

export interface IndexedComponent {
  purlType: string;
  namespace: string;
  name: string;
  version: string;
  layerDigest: string;
  path: string;
  purl: string;
}

export interface CompletedScan {
  platformDigest: string;
  configDigest: string;
  sboms: { cyclonedx: StoredSbom; spdx: StoredSbom };
  componentCount: number;
  scannerVersion: string;
  analyzerVersion: number;
  now: Date;
}

/** TypeORM answers UPDATE … RETURNING with `[rows, affected]` and INSERT/SELECT with the rows. */
function returned(result: unknown): RawScan[] {
  const value = result as unknown[];
  return (Array.isArray(value[0]) ? value[0] : value) as RawScan[];
}

/** Rows of the component index written per statement (keeps parameter arrays bounded). */
const COMPONENT_BATCH = 5000;

/** Every statement about scans; tenant-scoped reads need the tenant id. */
@Injectable()
export class ScansRepository {
  /** Inserts the scan unless one exists for (tenant, digest, platform); returns it and whether it is new. */
  async insertOrGet(manager: EntityManager, scan: NewScan): Promise<{ row: ScanRow; created: boolean }> {
    const inserted: RawScan[] = await manager.query(
      `INSERT INTO scans (scan_id, tenant_id, image_digest, platform, repository, requested_ref, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7)
       ON CONFLICT (tenant_id, image_digest, platform) DO NOTHING RETURNING *`,
      [
        scan.scanId,
        scan.tenantId,
        scan.imageDigest,
        scan.platform,
        scan.repository,
        scan.requestedRef,
        scan.now,
      ],
    );
    if (inserted[0]) return { row: toRow(inserted[0]), created: true };
    const existing = await this.byImage(manager, scan.tenantId, scan.imageDigest, scan.platform);
    if (!existing) throw new Error('scan vanished between insert and read');
    return { row: existing, created: false };
  }

  async byImage(
    manager: EntityManager,
    tenantId: string,
    imageDigest: string,
    platform: string,
  ): Promise<ScanRow | undefined> {
    const rows: RawScan[] = await manager.query(
      'SELECT * FROM scans WHERE tenant_id = $1 AND image_digest = $2 AND platform = $3',
      [tenantId, imageDigest, platform],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async byId(manager: EntityManager, tenantId: string, scanId: string): Promise<ScanRow | undefined> {
    const rows: RawScan[] = await manager.query('SELECT * FROM scans WHERE tenant_id = $1 AND scan_id = $2', [
      tenantId,
      scanId,
    ]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** The newest completed scan of a digest (any platform, or the given one). */
  async completedByDigest(
    manager: EntityManager,
    tenantId: string,
    imageDigest: string,
    platform?: string,
  ): Promise<ScanRow | undefined> {
    const rows: RawScan[] = await manager.query(
      `SELECT * FROM scans WHERE tenant_id = $1 AND status = 'completed'
         AND (image_digest = $2 OR platform_digest = $2) AND ($3::text IS NULL OR platform = $3)
       ORDER BY platform, completed_at LIMIT 1`,
      [tenantId, imageDigest, platform ?? null],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** A failed, not refused scan asked for again goes back to the queue. */
  async requeue(
    manager: EntityManager,
    tenantId: string,
    scanId: string,
    now: Date,
  ): Promise<ScanRow | undefined> {
    const rows = returned(
      await manager.query(
        `UPDATE scans SET status = 'queued', error_code = NULL, error_message = NULL, updated_at = $3
       WHERE tenant_id = $1 AND scan_id = $2 AND status = 'failed' AND NOT refused RETURNING *`,
        [tenantId, scanId, now],
      ),
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async markRunning(manager: EntityManager, tenantId: string, scanId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE scans SET status = 'running', attempts = attempts + 1, updated_at = $3
       WHERE tenant_id = $1 AND scan_id = $2 AND status IN ('queued', 'running')`,
      [tenantId, scanId, now],
    );
  }

  async markFailed(
    manager: EntityManager,
    tenantId: string,
    scanId: string,
    failure: { code: string; message: string; refused: boolean; scannerVersion: string; now: Date },
  ): Promise<ScanRow | undefined> {
    const rows = returned(
      await manager.query(
        `UPDATE scans SET status = 'failed', error_code = $3, error_message = $4, refused = $5, scanner_version = $6,
              updated_at = $7, attempts = GREATEST(attempts, 1)
       WHERE tenant_id = $1 AND scan_id = $2 AND status <> 'completed' RETURNING *`,
        [
          tenantId,
          scanId,
          failure.code,
          failure.message,
          failure.refused,
          failure.scannerVersion,
          failure.now,
        ],
      ),
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async markCompleted(
    manager: EntityManager,
    tenantId: string,
    scanId: string,
    done: CompletedScan,
  ): Promise<ScanRow | undefined> {
    const rows = returned(
      await manager.query(
        `UPDATE scans SET status = 'completed', platform_digest = $3, config_digest = $4, sboms = $5::jsonb,
              component_count = $6, scanner_version = $7, analyzer_version = $8, error_code = NULL,
              error_message = NULL, updated_at = $9, completed_at = $9, attempts = GREATEST(attempts, 1)
       WHERE tenant_id = $1 AND scan_id = $2 AND status <> 'completed' RETURNING *`,
        [
          tenantId,
          scanId,
          done.platformDigest,
          done.configDigest,
          JSON.stringify(done.sboms),
          done.componentCount,
          done.scannerVersion,
          done.analyzerVersion,
          done.now,
        ],
      ),
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Replaces the scan's rows in the component index (a retried job writes them again). */
  async indexComponents(
    manager: EntityManager,
    tenantId: string,
    scanId: string,
    imageDigest: string,
    components: readonly IndexedComponent[],
  ): Promise<void> {
    await manager.query('DELETE FROM components WHERE scan_id = $1', [scanId]);
    for (let start = 0; start < components.length; start += COMPONENT_BATCH) {
      const batch = components.slice(start, start + COMPONENT_BATCH);
      await manager.query(
        `INSERT INTO components (tenant_id, purl_type, namespace, name, version, image_digest, layer_digest, path, purl, scan_id)
         SELECT $1, ty, ns, nm, ve, $2, l, p, u, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS x(ty, ns, nm, ve, l, p, u)`,
        [
          tenantId,
          imageDigest,
          scanId,
          batch.map((c) => c.purlType),
          batch.map((c) => c.namespace),
          batch.map((c) => c.name),
          batch.map((c) => c.version),
          batch.map((c) => c.layerDigest),
          batch.map((c) => c.path),
          batch.map((c) => c.purl),
        ],
      );
    }
  }

  async findIdempotencyKey(
    manager: EntityManager,
    tenantId: string,
    key: string,
  ): Promise<{ requestHash: string; scanId: string } | undefined> {
    const rows: Array<{ request_hash: string; scan_id: string }> = await manager.query(
      'SELECT request_hash, scan_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
      [tenantId, key],
    );
    return rows[0] ? { requestHash: rows[0].request_hash, scanId: rows[0].scan_id } : undefined;
  }

  /** Claims the key for the scan; false when another request holds it already. */
  async claimIdempotencyKey(
    manager: EntityManager,
    tenantId: string,
    key: string,
    requestHash: string,
    scanId: string,
    now: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (tenant_id, key, request_hash, scan_id, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key`,
      [tenantId, key, requestHash, scanId, now],
    );
    return rows.length > 0;
  }
}

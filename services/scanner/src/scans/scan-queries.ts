import { Inject, Injectable } from '@nestjs/common';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { SCANNER_SBOM_STORE } from '../common/ports';
import { ScannerError } from '../common/scanner-error';
import { ComponentsRepository, type ComponentLocation } from '../components/components.repository';
import type { SbomFormat, SbomStore } from '../storage/sbom-store';
import { ScansRepository, type ScanRow } from './scans.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Opaque page cursor of an image's components: the last (purl, path) shown. */
export function encodeComponentCursor(purl: string, path: string): string {
  return Buffer.from(JSON.stringify([purl, path])).toString('base64url');
}
export function decodeComponentCursor(
  cursor: string | undefined,
): { purl: string; path: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [purl, path] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof purl === 'string' && typeof path === 'string') return { purl, path };
  } catch {
    // refused below
  }
  throw new ScannerError('INVALID_REQUEST', 'cursor must be a nextCursor returned by this endpoint');
}

/** Reads shared by REST and gRPC. */
@Injectable()
export class ScanQueries {
  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SCANNER_SBOM_STORE) private readonly store: SbomStore,
    private readonly scans: ScansRepository,
    private readonly components: ComponentsRepository,
  ) {}

  async scan(tenantId: string, scanId: string): Promise<ScanRow> {
    if (!UUID.test(scanId)) throw new ScannerError('SCAN_NOT_FOUND', `no scan ${scanId}`);
    const row = await this.scans.byId(this.dataSource.manager, tenantId, scanId);
    if (!row) throw new ScannerError('SCAN_NOT_FOUND', `no scan ${scanId}`);
    return row;
  }

  /** The stored SBOM of a completed scan of the digest (an index or platform manifest digest). */
  async sbom(
    tenantId: string,
    digest: string,
    format: SbomFormat,
    platform?: string,
  ): Promise<{ scan: ScanRow; stream: Readable; sha256: string; size: number }> {
    if (!DIGEST.test(digest))
      throw new ScannerError('INVALID_REQUEST', 'expected an image digest sha256:<64 hex>');
    const scan = await this.scans.completedByDigest(this.dataSource.manager, tenantId, digest, platform);
    if (!scan?.sboms) throw new ScannerError('SBOM_NOT_FOUND', `no completed scan of ${digest}`);
    const stored = format === 'spdx-json' ? scan.sboms.spdx : scan.sboms.cyclonedx;
    return { scan, stream: await this.store.get(stored.key), sha256: stored.sha256, size: stored.size };
  }

  async imageComponents(
    tenantId: string,
    digest: string,
    page: { after?: { purl: string; path: string } | undefined; limit: number },
  ): Promise<{ scan: ScanRow; components: ComponentLocation[]; more: boolean }> {
    if (!DIGEST.test(digest))
      throw new ScannerError('INVALID_REQUEST', 'expected an image digest sha256:<64 hex>');
    const scan = await this.scans.completedByDigest(this.dataSource.manager, tenantId, digest);
    if (!scan) throw new ScannerError('SCAN_NOT_FOUND', `no completed scan of ${digest}`);
    const rows = await this.components.ofImage(
      this.dataSource.manager,
      tenantId,
      scan.imageDigest,
      page.after,
      page.limit + 1,
    );
    return { scan, components: rows.slice(0, page.limit), more: rows.length > page.limit };
  }
}

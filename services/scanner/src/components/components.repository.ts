import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface PackageKey {
  purlType: string;
  namespace: string;
  name: string;
}

export interface ComponentLocation {
  purl: string;
  purlType: string;
  namespace: string;
  name: string;
  version: string;
  layerDigest: string;
  path: string;
}

/** Reads of the component index; every query is bound to a tenant. */
@Injectable()
export class ComponentsRepository {
  /** The distinct versions of a package across the tenant's scanned images (an index-only scan). */
  async versions(manager: EntityManager, tenantId: string, key: PackageKey): Promise<string[]> {
    const rows: Array<{ version: string }> = await manager.query(
      `SELECT DISTINCT version FROM components
       WHERE tenant_id = $1 AND purl_type = $2 AND namespace = $3 AND name = $4`,
      [tenantId, key.purlType, key.namespace, key.name],
    );
    return rows.map((row) => row.version);
  }

  /**
   * Images holding the package in one of `versions`, by digest, after `afterDigest`, at most
   * `limit`; each with the versions it holds.
   */
  async imagesWith(
    manager: EntityManager,
    tenantId: string,
    key: PackageKey,
    versions: readonly string[],
    afterDigest: string | undefined,
    limit: number,
  ): Promise<Array<{ imageDigest: string; versions: string[] }>> {
    if (versions.length === 0) return [];
    const rows: Array<{ image_digest: string; versions: string[] }> = await manager.query(
      `SELECT image_digest, array_agg(DISTINCT version ORDER BY version) AS versions FROM components
       WHERE tenant_id = $1 AND purl_type = $2 AND namespace = $3 AND name = $4 AND version = ANY($5::text[])
         AND ($6::text IS NULL OR image_digest > $6)
       GROUP BY image_digest ORDER BY image_digest LIMIT $7`,
      [tenantId, key.purlType, key.namespace, key.name, versions, afterDigest ?? null, limit],
    );
    return rows.map((row) => ({ imageDigest: row.image_digest, versions: row.versions }));
  }

  /** Every component location of one image (by the digest it was scanned as), paged by purl and path. */
  async ofImage(
    manager: EntityManager,
    tenantId: string,
    imageDigest: string,
    after: { purl: string; path: string } | undefined,
    limit: number,
  ): Promise<ComponentLocation[]> {
    const rows: Array<{
      purl: string;
      purl_type: string;
      namespace: string;
      name: string;
      version: string;
      layer_digest: string;
      path: string;
    }> = await manager.query(
      `SELECT purl, purl_type, namespace, name, version, layer_digest, path FROM components
       WHERE tenant_id = $1 AND image_digest = $2 AND ($3::text IS NULL OR (purl, path) > ($3, $4))
       ORDER BY purl, path LIMIT $5`,
      [tenantId, imageDigest, after?.purl ?? null, after?.path ?? '', limit],
    );
    return rows.map((row) => ({
      purl: row.purl,
      purlType: row.purl_type,
      namespace: row.namespace,
      name: row.name,
      version: row.version,
      layerDigest: row.layer_digest,
      path: row.path,
    }));
  }
}

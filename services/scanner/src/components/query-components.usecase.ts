import { Inject, Injectable } from '@nestjs/common';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import { PackageURL } from 'packageurl-js';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { ScannerError } from '../common/scanner-error';
import { ComponentsRepository, type PackageKey } from './components.repository';
import { compileRange } from './version-range';

export const packageQuerySchema = z.strictObject({
  /** A package purl without version: `pkg:npm/lodash`, `pkg:maven/org.apache.logging.log4j/log4j-core`. */
  purl: z.string().min(5).max(2048),
  /** A native range of the purl type's ecosystem or a `vers:` range; absent: every version. */
  range: z.string().min(1).max(4096).optional(),
});
export type PackageQuery = z.infer<typeof packageQuerySchema>;

export const bulkQuerySchema = z.strictObject({
  packages: z.array(packageQuerySchema).min(1).max(1000),
});

export interface PackageAnswer {
  purl: string;
  range?: string;
  /** Versions of the package present in the tenant's scanned images that are in the range. */
  versions: string[];
  images: Array<{ imageDigest: string; versions: string[] }>;
  /** Set when more images match than were returned: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

/** The purl's (type, namespace, name) as the index stores them (packageurl-js normalisation). */
export function packageKeyOf(purl: string): PackageKey {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch (error) {
    throw new ScannerError('INVALID_PURL', `invalid purl: ${(error as Error).message}`);
  }
  if (parsed.version) {
    throw new ScannerError(
      'INVALID_PURL',
      'give the package without a version (use range= to select versions)',
    );
  }
  return { purlType: parsed.type, namespace: parsed.namespace ?? '', name: parsed.name };
}

/** Package lookups of one bulk query running at once (each holds a pooled connection briefly). */
const BULK_PARALLELISM = 4;

const DIGEST_CURSOR = /^sha256:[0-9a-f]{64}$/;

/**
 * "Which scanned images contain package P in version range V": the package's distinct versions
 * come from the covering index, the range is evaluated once per distinct version (not per row),
 * then the matching image digests are read in digest order, a page at a time.
 */
@Injectable()
export class QueryComponentsUseCase {
  constructor(
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly components: ComponentsRepository,
  ) {}

  async one(
    tenantId: string,
    query: PackageQuery,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<PackageAnswer> {
    if (page.cursor !== undefined && !DIGEST_CURSOR.test(page.cursor)) {
      throw new ScannerError('INVALID_REQUEST', 'cursor must be an image digest returned as nextCursor');
    }
    const key = packageKeyOf(query.purl);
    const inRange =
      query.range === undefined ? () => true : compileRange(key.purlType, key.namespace, query.range);
    const manager = this.dataSource.manager;
    const versions = (await this.components.versions(manager, tenantId, key))
      .filter((v) => inRange(v))
      .sort();
    const images = await this.components.imagesWith(
      manager,
      tenantId,
      key,
      versions,
      page.cursor,
      page.limit + 1,
    );
    const more = images.length > page.limit;
    const shown = more ? images.slice(0, page.limit) : images;
    return {
      purl: query.purl,
      ...(query.range !== undefined ? { range: query.range } : {}),
      versions,
      images: shown,
      ...(more ? { nextCursor: shown[shown.length - 1]!.imageDigest } : {}),
    };
  }

  /** Several packages at once (the policy service's "which images does this advisory touch"). */
  async many(tenantId: string, packages: readonly PackageQuery[], limit: number): Promise<PackageAnswer[]> {
    // Every query is validated first (a bad purl or range refuses the whole request, nothing runs),
    // then up to BULK_PARALLELISM packages are looked up at once on the pool.
    for (const query of packages) {
      const key = packageKeyOf(query.purl);
      if (query.range !== undefined) compileRange(key.purlType, key.namespace, query.range);
    }
    const answers = new Array<PackageAnswer>(packages.length);
    let next = 0;
    const lane = async () => {
      while (next < packages.length) {
        const index = next++;
        answers[index] = await this.one(tenantId, packages[index]!, { limit });
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_PARALLELISM, packages.length) }, lane));
    return answers;
  }
}

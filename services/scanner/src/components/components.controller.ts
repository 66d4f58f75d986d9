import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseGuards } from '@nestjs/common';
import { AuthGuard, Scopes, TenantId } from '@stella/auth';
import { STELLA_CONFIG, ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { withProblems } from '../common/http';
import { SCAN_READ_SCOPE } from '../common/ports';
import type { ScannerConfig } from '../config/scanner-config';
import { bulkQuerySchema, packageQuerySchema, QueryComponentsUseCase } from './query-components.usecase';

const listQuerySchema = packageQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
  cursor: z.string().max(80).optional(),
});

@Controller('api/v1/components')
@UseGuards(AuthGuard)
export class ComponentsController {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ScannerConfig,
    private readonly query: QueryComponentsUseCase,
  ) {}

  /** Images containing a package (`purl=pkg:npm/lodash`), optionally in a version range; paged by digest. */
  @Get()
  @Scopes(SCAN_READ_SCOPE)
  async list(
    @TenantId() tenantId: string,
    @Query(new ZodValidationPipe(listQuerySchema, 'query')) params: z.infer<typeof listQuerySchema>,
  ) {
    return withProblems(() =>
      this.query.one(
        tenantId,
        { purl: params.purl, ...(params.range !== undefined ? { range: params.range } : {}) },
        { cursor: params.cursor, limit: Math.min(params.limit, this.config.scannerQueryMaxImages) },
      ),
    );
  }

  /** Several packages at once: `{packages: [{purl, range?}]}` -> image digests per package. */
  @Post('query')
  @Scopes(SCAN_READ_SCOPE)
  @HttpCode(200)
  async bulk(
    @TenantId() tenantId: string,
    @Body(new ZodValidationPipe(bulkQuerySchema)) body: z.infer<typeof bulkQuerySchema>,
  ) {
    return withProblems(async () => ({
      results: await this.query.many(tenantId, body.packages, this.config.scannerQueryMaxImages),
    }));
  }
}

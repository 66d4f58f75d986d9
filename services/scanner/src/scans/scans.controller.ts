import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { AuthGuard, Scopes, TenantId } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { withProblems } from '../common/http';
import { SCAN_READ_SCOPE, SCAN_WRITE_SCOPE } from '../common/ports';
import { SBOM_CONTENT_TYPES, SBOM_FORMATS } from '../storage/sbom-store';
import { decodeComponentCursor, encodeComponentCursor, ScanQueries } from './scan-queries';
import { scanView } from './scan-view';
import { submitScanCommand } from './usecases/submit-scan/submit-scan.command';
import { SubmitScanUseCase } from './usecases/submit-scan/submit-scan.usecase';

const sbomQuerySchema = z.strictObject({
  format: z.enum(SBOM_FORMATS).default('cyclonedx-json'),
  platform: z
    .string()
    .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/)
    .optional(),
});
const componentsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(4200).optional(),
});

@Controller('api/v1')
@UseGuards(AuthGuard)
export class ScansController {
  constructor(
    private readonly submit: SubmitScanUseCase,
    private readonly queries: ScanQueries,
  ) {}

  /**
   * Queues a scan of an image (tag resolved to its digest once). 202 with the new scan, or 200 with
   * the existing one when the digest is already scanned, queued or running: never a second scan.
   */
  @Post('scans')
  @Scopes(SCAN_WRITE_SCOPE)
  @HttpCode(202)
  async create(
    @TenantId() tenantId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return withProblems(async () => {
      const result = await this.submit.execute(submitScanCommand(tenantId, body, key));
      if (!result.queued) res.status(200);
      res.setHeader('Location', `/api/v1/scans/${result.scan.scanId}`);
      return scanView(result.scan);
    });
  }

  @Get('scans/:id')
  @Scopes(SCAN_READ_SCOPE)
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return withProblems(async () => scanView(await this.queries.scan(tenantId, id)));
  }

  /** The stored SBOM bytes (canonical JSON, byte-identical to what the scan produced). */
  @Get('images/:digest/sbom')
  @Scopes(SCAN_READ_SCOPE)
  async sbom(
    @TenantId() tenantId: string,
    @Param('digest') digest: string,
    @Query(new ZodValidationPipe(sbomQuerySchema, 'query')) query: z.infer<typeof sbomQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const found = await withProblems(() => this.queries.sbom(tenantId, digest, query.format, query.platform));
    res.status(200);
    res.setHeader('Content-Type', SBOM_CONTENT_TYPES[query.format]);
    res.setHeader('Content-Length', String(found.size));
    res.setHeader('Digest', `sha-256=${Buffer.from(found.sha256.slice(7), 'hex').toString('base64')}`);
    res.setHeader('ETag', `"${found.sha256}"`);
    found.stream.on('error', () => res.destroy());
    found.stream.pipe(res);
  }

  @Get('images/:digest/components')
  @Scopes(SCAN_READ_SCOPE)
  async components(
    @TenantId() tenantId: string,
    @Param('digest') digest: string,
    @Query(new ZodValidationPipe(componentsQuerySchema, 'query'))
    query: z.infer<typeof componentsQuerySchema>,
  ) {
    return withProblems(async () => {
      const page = await this.queries.imageComponents(tenantId, digest, {
        after: decodeComponentCursor(query.cursor),
        limit: query.limit,
      });
      const last = page.components[page.components.length - 1];
      return {
        imageDigest: page.scan.imageDigest,
        scanId: page.scan.scanId,
        componentCount: page.scan.componentCount ?? 0,
        components: page.components,
        ...(page.more && last ? { nextCursor: encodeComponentCursor(last.purl, last.path) } : {}),
      };
    });
  }
}

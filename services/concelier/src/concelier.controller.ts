import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { CurrentPrincipal, Public, Scopes, type Principal } from '@stella/auth';
import { SOURCE_IDS } from '@stella/matching';
import { ProblemError, STELLA_CONFIG, ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { AdvisoryLinks, type AdvisoryView } from './advisories/advisory-links.usecase';
import type { ConcelierConfig } from './config/concelier-config';
import { importRequestSchema, type ImportRequest } from './imports/import-request';
import { ImportAdvisories, reportOf, type ImportReport } from './imports/import-advisories.usecase';
import { MatchSbom, type MatchResult } from './matching/match-sbom.usecase';
import { AdvisoryStore, type Snapshot } from './persistence/advisory-store';

const SNAPSHOT_ID = /^sha256:[a-f0-9]{64}$/;
const ADVISORY_ID = /^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const matchRequestSchema = z.strictObject({
  sbom: z.record(z.string(), z.unknown()),
  snapshotId: z.string().regex(SNAPSHOT_ID).optional(),
});

function checkParam(value: string, pattern: RegExp, field: string): string {
  if (!pattern.test(value))
    throw new ProblemError(400, {
      type: 'invalid-parameter',
      title: 'Invalid parameter',
      detail: `${field} is malformed`,
      field,
    });
  return value;
}

/** Concelier's HTTP API: thin adapters over the use cases. */
@Controller()
export class ConcelierController {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ConcelierConfig,
    private readonly importAdvisories: ImportAdvisories,
    private readonly matchSbom: MatchSbom,
    private readonly links: AdvisoryLinks,
    private readonly store: AdvisoryStore,
  ) {}

  /** What this service does and, above all, what it never does: merge source records. */
  @Public()
  @Get('capabilities')
  capabilities(): Record<string, unknown> {
    return {
      service: 'concelier',
      merge: false,
      sources: SOURCE_IDS,
      formats: [
        'osv-json',
        'osv-jsonl',
        'osv-zip',
        'nvd-cve-2.0',
        'kev-json',
        'epss-csv',
        'debian-tracker-json',
        'nodejs-security-wg-jsonl',
        'debian-tracker-dsa-dla-list',
        'ghsa-api-json',
        'cyclonedx-vdr-json',
        'cyclonedx-vdr-xml',
        'stella-advisory-mirror/v1',
      ],
      urlImport: this.config.concelierUrlImport,
      sbomFormats: ['cyclonedx-json'],
    };
  }

  @Post('api/v1/imports')
  @Scopes('advisory:import')
  @HttpCode(201)
  import(
    @Body(new ZodValidationPipe(importRequestSchema)) body: ImportRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ImportReport> {
    return this.importAdvisories.execute(body, principal);
  }

  @Get('api/v1/imports/:id')
  @Scopes('advisory:read')
  async importRun(@Param('id') id: string): Promise<ImportReport> {
    const run = await this.store.findImport(checkParam(id, UUID, 'id'));
    if (!run)
      throw new ProblemError(404, { type: 'import-not-found', title: 'Import not found', detail: id });
    return reportOf(run, run.issues);
  }

  @Get('api/v1/advisories/:id')
  @Scopes('advisory:read')
  advisory(@Param('id') id: string): Promise<AdvisoryView> {
    return this.links.execute(checkParam(id, ADVISORY_ID, 'id'));
  }

  /** The exact bytes of a stored source document, by content hash: the evidence behind an observation. */
  @Get('api/v1/documents/:hash')
  @Scopes('advisory:read')
  async document(@Param('hash') hash: string, @Res() response: Response): Promise<void> {
    const doc = await this.store.document(checkParam(hash, SNAPSHOT_ID, 'hash'));
    if (!doc)
      throw new ProblemError(404, { type: 'document-not-found', title: 'Document not found', detail: hash });
    response
      .status(200)
      .setHeader(
        'content-type',
        doc.source === 'epss' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      )
      .setHeader('x-stella-source', doc.source)
      .setHeader('x-stella-document-key', encodeURIComponent(doc.key))
      .send(doc.content);
  }

  @Get('api/v1/snapshots/latest')
  @Scopes('advisory:read')
  async latestSnapshot(): Promise<Snapshot> {
    const snapshot = await this.store.latestSnapshot();
    if (!snapshot)
      throw new ProblemError(404, { type: 'no-advisories', title: 'No advisories imported yet' });
    return snapshot;
  }

  /** A snapshot and the exact documents it stands for (`<source>/<key>@<hash>`, what its id digests). */
  @Get('api/v1/snapshots/:id')
  @Scopes('advisory:read')
  async snapshot(@Param('id') id: string): Promise<Snapshot & { documents: string[] }> {
    const snapshot = await this.store.findSnapshot(checkParam(id, SNAPSHOT_ID, 'id'));
    if (!snapshot)
      throw new ProblemError(404, {
        type: 'snapshot-not-found',
        title: 'Feed snapshot not found',
        detail: id,
      });
    return { ...snapshot, documents: await this.store.snapshotMembers(snapshot.maxSeq) };
  }

  @Post('api/v1/match')
  @Scopes('advisory:read')
  @HttpCode(200)
  match(
    @Body(new ZodValidationPipe(matchRequestSchema)) body: z.infer<typeof matchRequestSchema>,
  ): Promise<MatchResult> {
    return this.matchSbom.execute(body.sbom, body.snapshotId);
  }
}

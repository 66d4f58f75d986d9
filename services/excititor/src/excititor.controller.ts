import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CurrentPrincipal, Public, Scopes, type Principal } from '@stella/auth';
import { ProblemError, ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import type { Consensus } from './consensus/consensus';
import { GetConsensus } from './consensus/get-consensus.usecase';
import { VEX_FORMATS } from './formats/model';
import { ingestRequestSchema, type IngestRequest } from './ingest/ingest-request';
import { IngestVex, type DocumentResult } from './ingest/ingest-vex.usecase';
import { IssuerRegistry } from './issuers/issuer-registry';
import { VexStore } from './persistence/vex-store';

const consensusQuerySchema = z.strictObject({
  vulnerability: z.string().regex(/^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/),
  product: z.string().min(1).max(2000),
});

/** Excititor's HTTP API: thin adapters over the use cases. */
@Controller()
export class ExcititorController {
  constructor(
    private readonly issuers: IssuerRegistry,
    private readonly ingest: IngestVex,
    private readonly consensus: GetConsensus,
    private readonly store: VexStore,
  ) {}

  @Public()
  @Get('capabilities')
  capabilities(): Record<string, unknown> {
    return {
      service: 'excititor',
      merge: false,
      formats: VEX_FORMATS,
      signed:
        'DSSE envelopes (payload: the VEX document, or an in-toto Statement carrying it) verified against the keys of configured and registered issuers',
      lattice: ['none', 'under_investigation', ['not_affected', 'fixed', 'affected']],
      issuers: this.issuers.all().map((i) => ({
        id: i.id,
        trust: i.trust,
        signedOnly: i.requireSignature,
      })),
    };
  }

  /** 200 with one result per document: stored, unchanged (same bytes seen before) or refused (with issues). */
  @Post('api/v1/vex')
  @Scopes('vex:write')
  @HttpCode(200)
  async ingestDocuments(
    @Body(new ZodValidationPipe(ingestRequestSchema)) body: IngestRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ results: DocumentResult[] }> {
    return { results: await this.ingest.execute(body, principal) };
  }

  @Get('api/v1/consensus')
  @Scopes('vex:read')
  getConsensus(
    @Query(new ZodValidationPipe(consensusQuerySchema)) query: z.infer<typeof consensusQuerySchema>,
  ): Promise<Consensus> {
    return this.consensus.execute(query.vulnerability, query.product);
  }

  /** The exact bytes of an ingested VEX document. */
  @Get('api/v1/vex/documents/:hash')
  @Scopes('vex:read')
  async document(@Param('hash') hash: string, @Res() response: Response): Promise<void> {
    if (!/^sha256:[a-f0-9]{64}$/.test(hash))
      throw new ProblemError(400, {
        type: 'invalid-parameter',
        title: 'Invalid parameter',
        detail: 'hash is malformed',
        field: 'hash',
      });
    const doc = await this.store.document(hash);
    if (!doc)
      throw new ProblemError(404, { type: 'document-not-found', title: 'Document not found', detail: hash });
    response
      .status(200)
      .setHeader('content-type', 'application/json; charset=utf-8')
      .setHeader('x-stella-issuer', encodeURIComponent(doc.issuer))
      .send(doc.content);
  }
}

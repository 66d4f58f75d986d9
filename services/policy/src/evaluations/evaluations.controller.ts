import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { AnyScope, CurrentPrincipal, TenantId, type Principal } from '@stella/auth';
import { ProblemError, ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { actorId } from '../common/actor';
import { checkParam, ENVIRONMENT, SHA256 } from '../common/errors';
import { POLICY_EVALUATE, POLICY_READ, POLICY_WRITE } from '../common/scopes';
import { EvaluateRelease, type EvaluationResult } from './evaluate-release.usecase';
import { EvaluationsRepository, type EvaluationRow } from './evaluations.repository';

const digest = z.string().regex(SHA256, 'must be sha256:<64 hex>');
const componentSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/),
  digest,
  repository: z.string().min(1).max(512).optional(),
});
const evaluateSchema = z.strictObject({
  release: z.strictObject({
    /** The release's manifest digest (its identity in the orchestrator). */
    id: digest,
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/).optional(),
    version: z.string().min(1).max(128).optional(),
    createdBy: z.string().min(1).max(256).optional(),
    /** The images; default: those of the orchestrator's release.created event. */
    components: z.array(componentSchema).min(1).max(256).optional(),
    /** Shorthand for components: digests only (named image-1, image-2, … in the given order). */
    digests: z.array(digest).min(1).max(256).optional(),
  }),
  environment: z.string().regex(ENVIRONMENT),
  approvals: z
    .array(
      z.strictObject({
        approver: z.string().min(1).max(256),
        time: z.iso.datetime({ offset: false }),
        comment: z.string().max(2048).optional(),
      }),
    )
    .max(100)
    .default([]),
  /** Default now; recorded in the input document (replays use it). */
  evaluationTime: z.iso.datetime({ offset: false }).optional(),
  /** Rebuild the images' findings now instead of using their current snapshots. */
  refresh: z.boolean().default(false),
});
const createQuerySchema = z.strictObject({
  /** `replay`: also return the policy source and the canonical input (what a gate records to re-run offline). */
  include: z.enum(['replay']).optional(),
});
const listSchema = z.strictObject({
  releaseId: digest.optional(),
  environment: z.string().regex(ENVIRONMENT).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

function header(row: EvaluationRow) {
  return {
    id: row.id,
    release: { id: row.releaseId, name: row.releaseName, version: row.releaseVersion },
    environment: row.environment,
    policy: { name: row.policyName, version: row.policyVersion, policyHash: row.policyHash },
    verdict: row.outcome,
    summary: row.summary,
    inputDigest: row.inputDigest,
    verdictDigest: row.verdictDigest,
    engineVersion: row.engineVersion,
    evaluationTime: row.evaluatedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    requestedBy: row.requestedBy,
    cause: row.cause,
    /** What a decision record pins: the policy, this evaluation, its input. */
    evidence: { policy: row.policyHash, 'policy-evaluation': row.id, 'policy-input': row.inputDigest },
  };
}

function full(row: EvaluationRow, notes?: string[]) {
  return { ...header(row), result: JSON.parse(row.verdictBytes) as unknown, ...(notes ? { notes } : {}) };
}

/** Evaluations: run one (immutable, stored), read it back with its exact input, policy and verdict bytes. */
@Controller('api/v1/evaluations')
export class EvaluationsController {
  constructor(
    private readonly evaluate: EvaluateRelease,
    private readonly repository: EvaluationsRepository,
  ) {}

  @Post()
  @AnyScope(POLICY_EVALUATE, POLICY_WRITE)
  @HttpCode(201)
  async create(
    @TenantId() tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(evaluateSchema)) body: z.infer<typeof evaluateSchema>,
    @Query(new ZodValidationPipe(createQuerySchema)) query: z.infer<typeof createQuerySchema>,
  ) {
    const components =
      body.release.components ?? body.release.digests?.map((d, i) => ({ name: `image-${i + 1}`, digest: d, repository: '' }));
    const result: EvaluationResult = await this.evaluate.execute({
      tenantId,
      requestedBy: actorId(principal),
      release: {
        id: body.release.id,
        name: body.release.name,
        version: body.release.version,
        createdBy: body.release.createdBy,
        components: components?.map((c) => ({ name: c.name, digest: c.digest, repository: c.repository ?? '' })),
      },
      environment: body.environment,
      approvals: body.approvals.map((a) => ({ approver: a.approver, time: a.time, ...(a.comment ? { comment: a.comment } : {}) })),
      evaluationTime: body.evaluationTime ? new Date(body.evaluationTime) : undefined,
      refresh: body.refresh,
    });
    return {
      ...full(result.row, result.notes),
      ...(query.include === 'replay'
        ? { replay: { policySource: result.row.policySource, inputDocument: result.row.inputDocument } }
        : {}),
    };
  }

  @Get()
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async list(@TenantId() tenantId: string, @Query(new ZodValidationPipe(listSchema)) query: z.infer<typeof listSchema>) {
    const rows = await this.repository.list(
      tenantId,
      { ...(query.releaseId ? { releaseId: query.releaseId } : {}), ...(query.environment ? { environment: query.environment } : {}) },
      query.limit,
    );
    return { evaluations: rows.map(header) };
  }

  @Get(':id')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return full(await this.found(tenantId, id));
  }

  /** The canonical input document (RFC 8785 bytes; its sha256 is inputDigest). */
  @Get(':id/input')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async input(@TenantId() tenantId: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const row = await this.found(tenantId, id);
    res.status(200).setHeader('content-type', 'application/json').setHeader('x-stella-digest', row.inputDigest).send(row.inputDocument);
  }

  /** The exact policy source the evaluation ran (its hash is policyHash). */
  @Get(':id/policy')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async policy(@TenantId() tenantId: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const row = await this.found(tenantId, id);
    res.status(200).setHeader('content-type', 'application/yaml; charset=utf-8').setHeader('x-stella-digest', row.policyHash).send(row.policySource);
  }

  /** The verdict bytes (RFC 8785; their sha256 is verdictDigest). */
  @Get(':id/verdict')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async verdict(@TenantId() tenantId: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const row = await this.found(tenantId, id);
    res.status(200).setHeader('content-type', 'application/json').setHeader('x-stella-digest', row.verdictDigest).send(row.verdictBytes);
  }

  private async found(tenantId: string, id: string): Promise<EvaluationRow> {
    const row = await this.repository.find(tenantId, checkParam(id, SHA256, 'id'));
    if (!row) throw new ProblemError(404, { type: 'evaluation-not-found', title: 'Evaluation not found', detail: id });
    return row;
  }
}

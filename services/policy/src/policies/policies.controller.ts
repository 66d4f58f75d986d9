import { Body, Controller, Get, HttpCode, Param, Put, Post, Query, Res } from '@nestjs/common';
import { CurrentPrincipal, Scopes, TenantId, type Principal } from '@stella/auth';
import { ProblemError, ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { actorId } from '../common/actor';
import { checkParam, ENVIRONMENT, POLICY_NAME } from '../common/errors';
import { POLICY_READ, POLICY_WRITE } from '../common/scopes';
import { PoliciesRepository, type BindingRow, type PolicyVersionRow } from './policies.repository';
import { BindPolicy } from './usecases/bind-policy.usecase';
import { UploadPolicy } from './usecases/upload-policy.usecase';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

const uploadSchema = z.strictObject({
  /** The policy document as YAML (or JSON) text. */
  source: z.string().min(1),
});
const bindSchema = z.strictObject({
  name: z.string().regex(POLICY_NAME),
  version: z.string().regex(VERSION),
});
const listQuerySchema = z.strictObject({ name: z.string().regex(POLICY_NAME).optional() });

function view(row: Omit<PolicyVersionRow, 'source'>) {
  return {
    name: row.name,
    version: row.version,
    policyHash: row.policyHash,
    ...(row.description ? { description: row.description } : {}),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}
function bindingView(row: BindingRow) {
  return {
    environment: row.environment,
    policy: { name: row.policyName, version: row.policyVersion },
    boundAt: row.boundAt.toISOString(),
    boundBy: row.boundBy,
  };
}

/** Policies: upload (validated and compiled), list, get a version (+ its raw source), bind to environments. */
@Controller('api/v1')
export class PoliciesController {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly upload: UploadPolicy,
    private readonly bindPolicy: BindPolicy,
  ) {}

  /** 201 with the stored version; 200 when the same version with the same content exists. */
  @Post('policies')
  @Scopes(POLICY_WRITE)
  @HttpCode(201)
  async create(
    @TenantId() tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(uploadSchema)) body: z.infer<typeof uploadSchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.upload.execute({ tenantId, actor: actorId(principal), source: body.source });
    if (!result.created) res.status(200);
    return { ...view(result.row), environments: result.compiled.environments };
  }

  @Get('policies')
  @Scopes(POLICY_READ)
  async list(
    @TenantId() tenantId: string,
    @Query(new ZodValidationPipe(listQuerySchema)) query: z.infer<typeof listQuerySchema>,
  ) {
    return { policies: (await this.repository.list(tenantId, query.name)).map(view) };
  }

  @Get('policies/:name/versions/:version')
  @Scopes(POLICY_READ)
  async get(@TenantId() tenantId: string, @Param('name') name: string, @Param('version') version: string) {
    const row = await this.found(tenantId, name, version);
    return { ...view(row), source: row.source };
  }

  /** The exact uploaded text (what the policy hash and every evaluation refer to). */
  @Get('policies/:name/versions/:version/source')
  @Scopes(POLICY_READ)
  async source(
    @TenantId() tenantId: string,
    @Param('name') name: string,
    @Param('version') version: string,
    @Res() res: Response,
  ): Promise<void> {
    const row = await this.found(tenantId, name, version);
    res.status(200).setHeader('content-type', 'application/yaml; charset=utf-8').setHeader('x-stella-policy-hash', row.policyHash).send(row.source);
  }

  @Get('bindings')
  @Scopes(POLICY_READ)
  async bindings(@TenantId() tenantId: string) {
    return { bindings: (await this.repository.bindings(tenantId)).map(bindingView) };
  }

  @Put('environments/:environment/policy')
  @Scopes(POLICY_WRITE)
  async bind(
    @TenantId() tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @Param('environment') environment: string,
    @Body(new ZodValidationPipe(bindSchema)) body: z.infer<typeof bindSchema>,
  ) {
    const row = await this.bindPolicy.execute({
      tenantId,
      actor: actorId(principal),
      environment: checkParam(environment, ENVIRONMENT, 'environment'),
      name: body.name,
      version: body.version,
    });
    return bindingView(row);
  }

  @Get('environments/:environment/policy')
  @Scopes(POLICY_READ)
  async bound(@TenantId() tenantId: string, @Param('environment') environment: string) {
    const row = await this.repository.boundTo(tenantId, checkParam(environment, ENVIRONMENT, 'environment'));
    if (!row)
      throw new ProblemError(404, {
        type: 'no-policy-bound',
        title: 'No policy bound to the environment',
        detail: environment,
      });
    return { environment, ...view(row) };
  }

  private async found(tenantId: string, name: string, version: string): Promise<PolicyVersionRow> {
    const row = await this.repository.find(
      tenantId,
      checkParam(name, POLICY_NAME, 'name'),
      checkParam(version, VERSION, 'version'),
    );
    if (!row)
      throw new ProblemError(404, { type: 'policy-not-found', title: 'Policy version not found', detail: `${name} ${version}` });
    return row;
  }
}

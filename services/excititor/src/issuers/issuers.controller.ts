import { Body, Controller, Delete, Get, HttpCode, Param, Put, Res } from '@nestjs/common';
import { CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { issuerIdSchema, issuerInputSchema, type IssuerInput } from './issuer-input';
import { IssuerRegistry, type IssuerView } from './issuer-registry';

/**
 * The VEX issuer registry: configured issuers (read-only) and those registered at runtime.
 * Reading needs `vex:read`; changing needs `vex:admin`, and every change is audited as a
 * `stella.vex.issuer.updated` event written through the outbox in the same transaction.
 */
@Controller('api/v1/issuers')
export class IssuersController {
  constructor(private readonly registry: IssuerRegistry) {}

  @Get()
  @Scopes('vex:read')
  async list(): Promise<{ issuers: IssuerView[] }> {
    await this.registry.refresh();
    return { issuers: this.registry.list() };
  }

  /** 201 when created, 200 when replaced (or unchanged); 409 for an issuer from the configuration. */
  @Put(':id')
  @Scopes('vex:admin')
  async put(
    @Param('id', new ZodValidationPipe(issuerIdSchema, 'issuer id')) id: string,
    @Body(new ZodValidationPipe(issuerInputSchema)) body: IssuerInput,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<IssuerView & { changed: boolean }> {
    const result = await this.registry.put(id, body, principal);
    response.status(result.created ? 201 : 200);
    return { ...result.issuer, changed: result.changed };
  }

  @Delete(':id')
  @Scopes('vex:admin')
  @HttpCode(204)
  async remove(
    @Param('id', new ZodValidationPipe(issuerIdSchema, 'issuer id')) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.registry.remove(id, principal);
  }
}

import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { STELLA_CONFIG } from '@stella/platform';
import { toHttpProblem } from '../common/problems';
import { SIGNER_SIGN_USECASE } from '../common/tokens';
import type { SignerConfig } from '../config/signer-config';
import { toSignCommand, toSignCommands } from '../signing/sign.command';
import type { KeylessSignResult, SignResult, SignUseCase } from '../signing/sign.usecase';

/** Scope that every signing request needs. Never rename: clients are granted it by name. */
export const SIGN_SCOPE = 'signer:sign';

@Controller('api/v1/sign')
@UseGuards(AuthGuard)
export class SignController {
  constructor(
    @Inject(SIGNER_SIGN_USECASE) private readonly signUseCase: SignUseCase,
    @Inject(STELLA_CONFIG) private readonly config: SignerConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @Scopes(SIGN_SCOPE)
  async sign(
    @Body() body: unknown,
    @CurrentPrincipal() caller: Principal,
  ): Promise<SignResult | KeylessSignResult> {
    try {
      return await this.signUseCase.execute(
        toSignCommand(body, this.config.signerMaxPayloadBytes),
        caller,
        'http',
      );
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  /** Up to 256 payloads in one request: `{ requests: [<sign request>...] }` -> `{ results: [...] }`. */
  @Post('batch')
  @HttpCode(200)
  @Scopes(SIGN_SCOPE)
  async signBatch(
    @Body() body: unknown,
    @CurrentPrincipal() caller: Principal,
  ): Promise<{ results: SignResult[] }> {
    try {
      return {
        results: await this.signUseCase.executeBatch(
          toSignCommands(body, this.config.signerMaxPayloadBytes),
          caller,
          'http',
        ),
      };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }
}

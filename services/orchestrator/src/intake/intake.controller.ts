import { Body, Controller, Headers, HttpCode, Inject, Post, UseInterceptors } from '@nestjs/common';
import { Public } from '@stella/auth';
import { STELLA_CONFIG } from '@stella/platform';
import type { OrchestratorConfig } from '../config/orchestrator-config';
import { OrchestratorErrorsInterceptor } from '../http/http-errors';
import { IntakeAuthenticator } from './intake-authenticator';
import { RegisterReleaseCandidatesUseCase } from './usecases/register-release-candidates/register-release-candidates.usecase';

/** Distribution `notifications.endpoints[].url`; send `headers: { Authorization: [Bearer <secret>] }`. */
@Controller('api/v1/intake')
@UseInterceptors(OrchestratorErrorsInterceptor)
export class IntakeController {
  private readonly authenticator: IntakeAuthenticator;

  constructor(
    private readonly register: RegisterReleaseCandidatesUseCase,
    @Inject(STELLA_CONFIG) config: OrchestratorConfig,
  ) {
    this.authenticator = new IntakeAuthenticator(config.orchestratorIntakeCredentials);
  }

  @Post('registry-notifications')
  @Public()
  @HttpCode(202)
  notify(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const tenant = this.authenticator.authenticate(authorization);
    return this.register.execute(tenant, body);
  }
}

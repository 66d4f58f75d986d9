import { Module, type Type } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, ServiceTokenClient, type TokenVerifier } from '@stella/auth';
import { DatabaseModule, MessagingModule, STELLA_CONFIG } from '@stella/platform';
import { IntelClients } from './clients/intel-clients';
import { HttpUpstream } from './clients/upstreams';
import { POLICY_CLOCK, POLICY_IDS, POLICY_TOKENS, randomIds, systemClock, type Clock, type IdGenerator, type TokenProvider } from './common/ports';
import { RELEASE_STREAM } from './common/streams';
import { POLICY_SERVICE_NAME, type PolicyConfig } from './config/policy-config';
import { EvaluateRelease } from './evaluations/evaluate-release.usecase';
import { EvaluationsController } from './evaluations/evaluations.controller';
import { EvaluationsRepository } from './evaluations/evaluations.repository';
import { InputAssembler } from './evaluations/input-assembler';
import { PolicyEvents } from './events/policy-events';
import { ExceptionsController } from './exceptions/exceptions.controller';
import { ExceptionsRepository } from './exceptions/exceptions.repository';
import { ExceptionsService } from './exceptions/exceptions.service';
import { BuildFindings } from './findings/build-findings.usecase';
import { FindingsController } from './findings/findings.controller';
import { FindingsRepository } from './findings/findings.repository';
import { policyMigrations } from './migrations';
import { CompiledPolicies } from './policies/compiled-policies';
import { PoliciesController } from './policies/policies.controller';
import { PoliciesRepository } from './policies/policies.repository';
import { BindPolicy } from './policies/usecases/bind-policy.usecase';
import { UploadPolicy } from './policies/usecases/upload-policy.usecase';
import { PolicyRuntime } from './policy.runtime';
import { IntelEventsHandler } from './reevaluation/intel-events.handler';
import { RecomputeFindings } from './reevaluation/recompute-findings';
import { ReevaluateReleases } from './reevaluation/reevaluate-releases';
import { OrchestratorEventsHandler } from './releases/orchestrator-events.handler';
import { ReleasesRepository } from './releases/releases.repository';

/** Scopes of the policy service's own token (what it reads from the other services). */
export const POLICY_CLIENT_SCOPES = ['scan:read', 'advisory:read', 'vex:read', 'attest:read'];

export interface PolicyModuleOptions {
  /** Token verifier; default: the authority's JWKS at STELLA_AUTHORITY_URL. */
  verifier?: TokenVerifier;
  /** Tokens for calls to the scanner, concelier, excititor, attestor; default: client credentials at the authority. */
  tokens?: TokenProvider;
  clock?: Clock;
  ids?: IdGenerator;
}

function defaultTokens(config: PolicyConfig): TokenProvider {
  if (config.policyClientSecret === undefined || config.authorityUrl === undefined)
    return { authorizationHeader: async () => null };
  const client = new ServiceTokenClient({
    tokenUrl: `${config.authorityUrl.replace(/\/+$/, '')}/oauth/token`,
    clientId: config.policyClientId,
    clientSecret: config.policyClientSecret,
    scopes: POLICY_CLIENT_SCOPES,
    audience: config.tokenAudience,
  });
  return { authorizationHeader: () => client.authorizationHeader(), invalidate: () => client.invalidate() };
}

/** The policy service's root module; options let tests inject a verifier, upstream tokens and a clock. */
export function createPolicyModule(options: PolicyModuleOptions = {}): Type<unknown> {
  @Module({
    imports: [
      DatabaseModule.forRoot({ defaultSchema: POLICY_SERVICE_NAME, entities: [], migrations: policyMigrations }),
      MessagingModule.forRoot({ streams: [RELEASE_STREAM] }),
      AuthModule.forRootAsync({
        inject: [STELLA_CONFIG],
        useFactory: (config: PolicyConfig) => options.verifier ?? createAuthorityTokenVerifier(POLICY_SERVICE_NAME, config),
        guardAllRoutes: true,
      }),
    ],
    controllers: [PoliciesController, ExceptionsController, FindingsController, EvaluationsController],
    providers: [
      { provide: POLICY_CLOCK, useValue: options.clock ?? systemClock },
      { provide: POLICY_IDS, useValue: options.ids ?? randomIds },
      {
        provide: POLICY_TOKENS,
        inject: [STELLA_CONFIG],
        useFactory: (config: PolicyConfig) => options.tokens ?? defaultTokens(config),
      },
      {
        provide: IntelClients,
        inject: [STELLA_CONFIG, POLICY_TOKENS],
        useFactory: (config: PolicyConfig, tokens: TokenProvider) =>
          new IntelClients(
            new HttpUpstream(
              {
                scanner: config.policyScannerUrl,
                concelier: config.policyConcelierUrl,
                excititor: config.policyExcititorUrl,
                attestor: config.policyAttestorUrl,
              },
              tokens,
              config.policyUpstreamTimeoutMs,
            ),
          ),
      },
      PoliciesRepository,
      CompiledPolicies,
      UploadPolicy,
      BindPolicy,
      ExceptionsRepository,
      ExceptionsService,
      FindingsRepository,
      BuildFindings,
      ReleasesRepository,
      OrchestratorEventsHandler,
      EvaluationsRepository,
      InputAssembler,
      EvaluateRelease,
      PolicyEvents,
      RecomputeFindings,
      ReevaluateReleases,
      IntelEventsHandler,
      PolicyRuntime,
    ],
  })
  class PolicyModule {}
  return PolicyModule;
}

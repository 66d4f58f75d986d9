import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, type TokenVerifier } from '@stella/auth';
import { registryClientOptionsFromConfig } from '@stella/oci';
import {
  DatabaseModule,
  Lifecycle,
  MessagingModule,
  STELLA_CONFIG,
  STELLA_DATA_SOURCE,
} from '@stella/platform';
import type { DataSource } from 'typeorm';
import { tenantIdOf } from './common/tenancy';
import { AuditController } from './audit/audit.controller';
import { AuditChainer } from './audit/audit-chainer';
import { AuditLogRepository } from './audit/audit-log.repository';
import { systemClock, type Clock } from './common/clock';
import { uuidV7Ids } from './common/ids';
import { GATES, IMAGE_RESOLVER, ORCHESTRATOR_CLOCK, ORCHESTRATOR_IDS } from './common/tokens';
import { ComponentsRepository } from './components/components.repository';
import { CreateComponentUseCase } from './components/usecases/create-component/create-component.usecase';
import { ORCHESTRATOR_SERVICE_NAME, type OrchestratorConfig } from './config/orchestrator-config';
import { DecisionsRepository } from './decisions/decisions.repository';
import { EnvironmentsController } from './environments/environments.controller';
import { EnvironmentsRepository } from './environments/environments.repository';
import { CreateEnvironmentUseCase } from './environments/usecases/create-environment/create-environment.usecase';
import { SetPromotionPathUseCase } from './environments/usecases/set-promotion-path/set-promotion-path.usecase';
import { UpdateEnvironmentUseCase } from './environments/usecases/update-environment/update-environment.usecase';
import { OrchestratorEvents } from './events/orchestrator-events';
import { ORCHESTRATOR_STREAM } from './events/orchestrator-stream';
import { GrpcServer } from './grpc/grpc-server';
import { OpenApiController } from './http/openapi.controller';
import { IdempotencyPruner } from './idempotency/idempotency-pruner';
import { IntakeController } from './intake/intake.controller';
import { RegisterReleaseCandidatesUseCase } from './intake/usecases/register-release-candidates/register-release-candidates.usecase';
import { InventoryRepository } from './inventory/inventory.repository';
import { CommitNotifier } from './persistence/commit-notifier';
import { orchestratorMigrations } from './persistence/migrations';
import { UnitOfWork } from './persistence/unit-of-work';
import { ApprovalsGate, FreezeWindowGate, PreviousEnvironmentGate, type Gate } from '@stella/gates';
import { GateRegistry } from './promotions/gates/gate-registry';
import { policyGatesFor } from './promotions/gates/policy.gate';
import { DeploymentDispatcher } from './promotions/deployment-dispatcher';
import { PromotionFlow } from './promotions/promotion-flow';
import { PromotionWatchHub } from './promotions/promotion-watch';
import { PromotionsController } from './promotions/promotions.controller';
import { PromotionsRepository } from './promotions/promotions.repository';
import { ApprovePromotionUseCase } from './promotions/usecases/approve-promotion/approve-promotion.usecase';
import { CancelPromotionUseCase } from './promotions/usecases/cancel-promotion/cancel-promotion.usecase';
import { RejectPromotionUseCase } from './promotions/usecases/reject-promotion/reject-promotion.usecase';
import { ReportDeploymentUseCase } from './promotions/usecases/report-deployment/report-deployment.usecase';
import { RequestPromotionUseCase } from './promotions/usecases/request-promotion/request-promotion.usecase';
import { RollbackEnvironmentUseCase } from './promotions/usecases/rollback-environment/rollback-environment.usecase';
import { OrchestratorQueries } from './queries/orchestrator-queries';
import type { ImageResolver } from './releases/image-resolver';
import { RegistryImageResolver } from './releases/registry-image-resolver';
import { ReleasesController } from './releases/releases.controller';
import { ReleasesRepository } from './releases/releases.repository';
import { CreateReleaseUseCase } from './releases/usecases/create-release/create-release.usecase';
import { TenantBootstrap } from './tenants/tenant-bootstrap';

export interface OrchestratorModuleOptions {
  /** Token verification; default: the authority's JWKS at STELLA_AUTHORITY_URL. Tests pass a local verifier. */
  verifier?: TokenVerifier;
  /** Default: the system clock. Tests and replays pass a fixed one. */
  clock?: Clock;
  /** Default: libs/oci against the configured registries. */
  imageResolver?: ImageResolver;
  /** Extra gates (policy, findings, VEX) next to the built-in ones. */
  gates?: Gate[];
}

/** The release control plane. `OrchestratorModule.forRoot()` in production; tests replace the ports. */
@Module({})
export class OrchestratorModule {
  static forRoot(options: OrchestratorModuleOptions = {}): DynamicModule {
    const ports: Provider[] = [
      { provide: ORCHESTRATOR_CLOCK, useValue: options.clock ?? systemClock },
      {
        provide: ORCHESTRATOR_IDS,
        inject: [ORCHESTRATOR_CLOCK],
        useFactory: (clock: Clock) => uuidV7Ids(clock),
      },
      {
        provide: IMAGE_RESOLVER,
        inject: [STELLA_CONFIG, Lifecycle],
        useFactory: (config: OrchestratorConfig, lifecycle: Lifecycle) => {
          const resolver =
            options.imageResolver ??
            new RegistryImageResolver(
              registryClientOptionsFromConfig(config),
              config.orchestratorDigestCacheSize,
            );
          lifecycle.onShutdown('registry-client', () => resolver.close());
          return resolver;
        },
      },
      {
        provide: GATES,
        inject: [STELLA_CONFIG, STELLA_DATA_SOURCE, ReleasesRepository],
        useFactory: (config: OrchestratorConfig, dataSource: DataSource, releases: ReleasesRepository) => [
          new PreviousEnvironmentGate(),
          new FreezeWindowGate(),
          new ApprovalsGate(),
          ...(options.gates?.some((g) => g.name === 'policy')
            ? []
            : policyGatesFor(config, undefined, async (tenant, releaseId) => {
                const release = await releases.find(dataSource.manager, tenantIdOf(tenant), {
                  id: releaseId,
                });
                return (release?.components ?? []).map((c) => ({
                  name: c.name,
                  digest: c.digest,
                  repository: c.repository,
                }));
              })),
          ...(options.gates ?? []),
        ],
      },
    ];
    return {
      module: OrchestratorModule,
      imports: [
        DatabaseModule.forRoot({
          defaultSchema: ORCHESTRATOR_SERVICE_NAME,
          entities: [],
          migrations: orchestratorMigrations,
        }),
        MessagingModule.forRoot({ streams: [ORCHESTRATOR_STREAM] }),
        options.verifier
          ? AuthModule.forRoot({ verifier: options.verifier })
          : AuthModule.forRootAsync({
              inject: [STELLA_CONFIG],
              useFactory: (config: OrchestratorConfig) =>
                createAuthorityTokenVerifier('orchestrator', config),
            }),
      ],
      controllers: [
        EnvironmentsController,
        ReleasesController,
        PromotionsController,
        AuditController,
        IntakeController,
        OpenApiController,
      ],
      providers: [
        ...ports,
        AuditLogRepository,
        AuditChainer,
        EnvironmentsRepository,
        ComponentsRepository,
        ReleasesRepository,
        PromotionsRepository,
        DecisionsRepository,
        InventoryRepository,
        OrchestratorEvents,
        CommitNotifier,
        TenantBootstrap,
        UnitOfWork,
        GateRegistry,
        PromotionFlow,
        PromotionWatchHub,
        DeploymentDispatcher,
        OrchestratorQueries,
        CreateEnvironmentUseCase,
        UpdateEnvironmentUseCase,
        SetPromotionPathUseCase,
        CreateComponentUseCase,
        CreateReleaseUseCase,
        RequestPromotionUseCase,
        ApprovePromotionUseCase,
        RejectPromotionUseCase,
        CancelPromotionUseCase,
        ReportDeploymentUseCase,
        RollbackEnvironmentUseCase,
        RegisterReleaseCandidatesUseCase,
        IdempotencyPruner,
        GrpcServer,
      ],
      exports: [GrpcServer, UnitOfWork, OrchestratorQueries],
    };
  }
}

import * as grpc from '@grpc/grpc-js';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthError, TOKEN_VERIFIER, type Principal, type TokenVerifier, verifyBearerMetadata } from '@stella/auth';
import type { Logger } from '@stella/observability';
import {
  grpcUnary,
  Lifecycle,
  metadataString,
  type RunningGrpcServer,
  STELLA_CONFIG,
  STELLA_LOGGER,
  startGrpcServer,
} from '@stella/platform';
import { resolve } from 'node:path';
import { actorOf, type Actor } from '../common/actor';
import { OrchestratorError } from '../common/errors';
import { Scope } from '../common/scopes';
import { tenantIdOf, type TenantId } from '../common/tenancy';
import type { OrchestratorConfig } from '../config/orchestrator-config';
import { idempotencyRequest } from '../persistence/unit-of-work';
import { PromotionWatchHub } from '../promotions/promotion-watch';
import { approvePromotionCommand } from '../promotions/usecases/approve-promotion/approve-promotion.command';
import { ApprovePromotionUseCase } from '../promotions/usecases/approve-promotion/approve-promotion.usecase';
import { reportDeploymentCommand } from '../promotions/usecases/report-deployment/report-deployment.command';
import { ReportDeploymentUseCase } from '../promotions/usecases/report-deployment/report-deployment.usecase';
import { releaseSelectorSchema, requestPromotionCommand } from '../promotions/usecases/request-promotion/request-promotion.command';
import { RequestPromotionUseCase } from '../promotions/usecases/request-promotion/request-promotion.usecase';
import { OrchestratorQueries } from '../queries/orchestrator-queries';
import { createReleaseCommand } from '../releases/usecases/create-release/create-release.command';
import { CreateReleaseUseCase } from '../releases/usecases/create-release/create-release.usecase';
import { parseCommand } from '../common/command';
import { promotionId as promotionIdSchema } from '../common/schemas';
import {
  auditMessage,
  deploymentMessage,
  present,
  promotionMessage,
  releaseMessage,
  toServiceError,
  transitionMessage,
  unwrap,
} from './grpc-mapping';

/** Where the contracts live: `proto/` at the repository root (copied next to dist in images). */
export const PROTO_ROOT = resolve(__dirname, '..', '..', '..', '..', 'proto');
export const ORCHESTRATOR_PROTO = 'stella/orchestrator/v1/orchestrator.proto';

interface CallContext {
  principal: Principal;
  tenant: TenantId;
  actor: Actor;
  idempotencyKey: string | undefined;
}

type Message = Record<string, unknown>;
type Selector = { id?: string; nameVersion?: { name?: string; version?: string } };

function selectorOf(message: Selector | undefined): unknown {
  if (present(message?.id)) return { id: message!.id };
  if (message?.nameVersion) return { name: message.nameVersion.name, version: message.nameVersion.version };
  return undefined;
}

/**
 * The gRPC API for CI systems (@grpc/grpc-js, contracts loaded at run time from the .proto).
 * Handlers are thin adapters: authenticate the bearer token, check scopes, build the same command
 * as REST, call the same use case, map the answer.
 */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap {
  private server: RunningGrpcServer | undefined;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly lifecycle: Lifecycle,
    private readonly queries: OrchestratorQueries,
    private readonly createRelease: CreateReleaseUseCase,
    private readonly requestPromotion: RequestPromotionUseCase,
    private readonly approvePromotion: ApprovePromotionUseCase,
    private readonly reportDeployment: ReportDeploymentUseCase,
    private readonly watchHub: PromotionWatchHub,
  ) {}

  /** The port actually bound (configured port, or the free one picked for port 0). */
  get port(): number {
    return this.server?.port ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.orchestratorGrpcEnabled) return;
    const { orchestratorGrpcTlsCert: cert, orchestratorGrpcTlsKey: key } = this.config;
    this.server = await startGrpcServer({
      name: 'orchestrator',
      protoRoot: PROTO_ROOT,
      protoFile: ORCHESTRATOR_PROTO,
      service: 'stella.orchestrator.v1.OrchestratorService',
      handlers: this.handlers(),
      host: this.config.orchestratorGrpcHost,
      port: this.config.orchestratorGrpcPort,
      tls: cert && key ? { cert, key } : undefined,
      channelOptions: {
        'grpc.max_receive_message_length': this.config.orchestratorGrpcMaxMessageBytes,
        'grpc.max_send_message_length': 16 * 1024 * 1024,
      },
      logger: this.logger,
      lifecycle: this.lifecycle,
    });
  }

  private async authenticate(metadata: grpc.Metadata, scopes: string[]): Promise<CallContext> {
    const principal = await verifyBearerMetadata(this.verifier, metadata, scopes);
    return {
      principal,
      tenant: tenantIdOf(principal.tenant),
      actor: actorOf(principal),
      idempotencyKey: metadataString(metadata, 'idempotency-key'),
    };
  }

  private unary<Req extends Message, Res>(scopes: string[], handle: (ctx: CallContext, request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return grpcUnary(
      {
        authenticate: (metadata) => this.authenticate(metadata, scopes),
        toServiceError,
        expected: (error) => error instanceof OrchestratorError || error instanceof AuthError,
        logger: this.logger,
      },
      handle,
    );
  }

  private handlers(): grpc.UntypedServiceImplementation {
    return {
      createRelease: this.unary(
        [Scope.write],
        async (ctx, req: { name?: string; version?: string; components?: Array<Record<string, unknown>> }) => {
          const command = createReleaseCommand({
            name: req.name,
            version: req.version,
            components: (req.components ?? []).map((c) => ({
              name: c.name,
              ...optionalField('repository', c.repository),
              ...optionalField('tag', c.tag),
              ...optionalField('digest', c.digest),
            })),
          });
          const idem = idempotencyRequest(ctx.idempotencyKey, 'release.create', command);
          const result = await this.createRelease.execute(ctx.tenant, ctx.actor, command, idem ? { idempotency: idem } : {});
          return releaseMessage(unwrap(result.outcome));
        },
      ),
      getRelease: this.unary([Scope.read], async (ctx, req: Selector) => {
        const selector = parseCommand(releaseSelectorSchema, selectorOf(req), 'release selector');
        return releaseMessage(await this.queries.release(ctx.tenant, selector));
      }),
      listReleases: this.unary([Scope.read], async (ctx, req: { name?: string; limit?: number; cursor?: string }) => {
        const name = present(req.name);
        const cursor = present(req.cursor);
        const page = await this.queries.releaseList(ctx.tenant, {
          ...(name === undefined ? {} : { name }),
          ...(req.limit ? { limit: req.limit } : {}),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return { releases: page.items.map(releaseMessage), ...optionalField('nextCursor', page.nextCursor) };
      }),
      requestPromotion: this.unary(
        [Scope.promote],
        async (ctx, req: { release?: Selector; environment?: string; comment?: string; breakGlass?: { reason?: string } }) => {
          const command = requestPromotionCommand({
            release: selectorOf(req.release),
            environment: req.environment,
            ...optionalField('comment', req.comment),
            ...(req.breakGlass ? { breakGlass: { reason: req.breakGlass.reason } } : {}),
          });
          const idem = idempotencyRequest(ctx.idempotencyKey, 'promotion.request', command);
          const result = await this.requestPromotion.execute(ctx.tenant, ctx.actor, command, idem ? { idempotency: idem } : {});
          return promotionMessage(unwrap(result.outcome));
        },
      ),
      approvePromotion: this.unary([Scope.approve], async (ctx, req: { promotionId?: string; comment?: string }) => {
        const command = approvePromotionCommand(req.promotionId ?? '', { ...optionalField('comment', req.comment) });
        const idem = idempotencyRequest(ctx.idempotencyKey, 'promotion.approve', command);
        const result = await this.approvePromotion.execute(ctx.tenant, ctx.actor, command, idem ? { idempotency: idem } : {});
        return promotionMessage(unwrap(result.outcome));
      }),
      reportDeployment: this.unary([Scope.deploy], async (ctx, req: { promotionId?: string; status?: string; reason?: string }) => {
        const command = reportDeploymentCommand(req.promotionId ?? '', { status: req.status, ...optionalField('reason', req.reason) });
        const idem = idempotencyRequest(ctx.idempotencyKey, 'promotion.deployment', command);
        const result = await this.reportDeployment.execute(ctx.tenant, ctx.actor, command, idem ? { idempotency: idem } : {});
        return promotionMessage(unwrap(result.outcome));
      }),
      getInventory: this.unary([Scope.read], async (ctx, req: { at?: string; digest?: string }) => {
        const at = present(req.at);
        const digest = present(req.digest);
        if (digest !== undefined) {
          const found = await this.queries.whereDigestRuns(ctx.tenant, digest, at);
          return { at: found.at ?? '', deployments: found.deployments.map(deploymentMessage) };
        }
        const inventory = await this.queries.inventoryAt(ctx.tenant, at);
        return {
          at: inventory.at ?? '',
          deployments: inventory.environments.flatMap((e) => (e.running ? [deploymentMessage(e.running)] : [])),
        };
      }),
      verifyAuditChain: this.unary([Scope.audit], async (ctx) => auditMessage(await this.queries.verifyAudit(ctx.tenant))),
      watchPromotion: (call: grpc.ServerWritableStream<{ promotionId?: string; afterSeq?: number }, unknown>) => {
        const abort = new AbortController();
        call.on('cancelled', () => abort.abort());
        void (async () => {
          try {
            const ctx = await this.authenticate(call.metadata, [Scope.read]);
            const id = parseCommand(promotionIdSchema, call.request.promotionId ?? '', 'promotion id');
            await this.queries.promotion(ctx.tenant, id);
            for await (const transition of this.watchHub.watch(ctx.tenant, id, call.request.afterSeq ?? 0, abort.signal)) {
              call.write(transitionMessage(transition));
            }
            call.end();
          } catch (error) {
            if (abort.signal.aborted) return;
            if (!(error instanceof OrchestratorError) && !(error instanceof AuthError)) {
              this.logger.error({ err: error }, 'WatchPromotion failed');
            }
            call.destroy(Object.assign(new Error(String((error as Error).message)), toServiceError(error)));
          }
        })();
      },
    };
  }
}

function optionalField<K extends string>(key: K, value: unknown): Partial<Record<K, unknown>> {
  const v = present(value);
  return v === undefined ? {} : ({ [key]: v } as Record<K, unknown>);
}

import * as grpc from '@grpc/grpc-js';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthError, authErrorStatus, TOKEN_VERIFIER, type TokenVerifier, verifyBearerMetadata } from '@stella/auth';
import type { Logger } from '@stella/observability';
import {
  grpcInternalError,
  grpcServiceError,
  grpcStatusOfHttp,
  grpcUnary,
  Lifecycle,
  metadataString,
  type RunningGrpcServer,
  STELLA_CONFIG,
  STELLA_LOGGER,
  startGrpcServer,
} from '@stella/platform';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { SCAN_READ_SCOPE, SCAN_WRITE_SCOPE } from '../common/ports';
import { ScannerError } from '../common/scanner-error';
import { QueryComponentsUseCase } from '../components/query-components.usecase';
import type { ScannerConfig } from '../config/scanner-config';
import { decodeComponentCursor, encodeComponentCursor, ScanQueries } from '../scans/scan-queries';
import { scanView, type ScanView } from '../scans/scan-view';
import { submitScanCommand } from '../scans/usecases/submit-scan/submit-scan.command';
import { SubmitScanUseCase } from '../scans/usecases/submit-scan/submit-scan.usecase';
import { SBOM_CONTENT_TYPES, SBOM_FORMATS, type SbomFormat } from '../storage/sbom-store';

/** `proto/` at the repository root (copied next to dist in images). */
export const PROTO_ROOT = resolve(__dirname, '..', '..', '..', '..', 'proto');
export const SCANNER_PROTO = 'stella/scanner/v1/scanner.proto';

export function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof ScannerError)
    return grpcServiceError(grpcStatusOfHttp(error.status), error.code, error.message);
  if (error instanceof AuthError)
    return grpcServiceError(grpcStatusOfHttp(authErrorStatus(error.code)), error.code, error.message);
  return grpcInternalError();
}

function present(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

function scanMessage(view: ScanView) {
  return {
    scanId: view.scanId,
    status: view.status,
    image: view.image,
    imageDigest: view.imageDigest,
    platform: view.platform,
    requestedRef: view.requestedRef,
    attempts: view.attempts,
    platformDigest: view.platformDigest ?? '',
    configDigest: view.configDigest ?? '',
    componentCount: view.componentCount ?? 0,
    ...(view.sboms ? { cyclonedx: view.sboms.cyclonedx, spdx: view.sboms.spdx } : {}),
    ...(view.error ? { error: view.error } : {}),
    scannerVersion: view.scannerVersion ?? '',
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    completedAt: view.completedAt ?? '',
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface CallContext {
  tenantId: string;
  idempotencyKey: string | undefined;
}

/** The gRPC API for CI (@grpc/grpc-js, the contract loaded from the .proto at run time): thin adapters over the REST use cases. */
@Injectable()
export class ScannerGrpcServer implements OnApplicationBootstrap {
  private server: RunningGrpcServer | undefined;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ScannerConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly lifecycle: Lifecycle,
    private readonly submit: SubmitScanUseCase,
    private readonly queries: ScanQueries,
    private readonly components: QueryComponentsUseCase,
  ) {}

  get port(): number {
    return this.server?.port ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.scannerGrpcEnabled) return;
    this.server = await startGrpcServer({
      name: 'scanner',
      protoRoot: PROTO_ROOT,
      protoFile: SCANNER_PROTO,
      service: 'stella.scanner.v1.ScannerService',
      handlers: this.handlers(),
      host: this.config.scannerGrpcHost,
      port: this.config.scannerGrpcPort,
      channelOptions: { 'grpc.max_send_message_length': 256 * 1024 * 1024 },
      logger: this.logger,
      lifecycle: this.lifecycle,
    });
  }

  private unary<Req, Res>(
    scopes: string[],
    handle: (ctx: CallContext, request: Req) => Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    return grpcUnary(
      {
        authenticate: async (metadata): Promise<CallContext> => {
          const principal = await verifyBearerMetadata(this.verifier, metadata, scopes);
          return { tenantId: principal.tenant, idempotencyKey: metadataString(metadata, 'idempotency-key') };
        },
        toServiceError,
        expected: (error) => error instanceof ScannerError || error instanceof AuthError,
        logger: this.logger,
      },
      handle,
    );
  }

  private handlers(): grpc.UntypedServiceImplementation {
    return {
      submitScan: this.unary([SCAN_WRITE_SCOPE], async (ctx, req: { image?: string; platform?: string }) => {
        const platform = present(req.platform);
        const result = await this.submit.execute(
          submitScanCommand(
            ctx.tenantId,
            { image: req.image, ...(platform ? { platform } : {}) },
            ctx.idempotencyKey,
          ),
        );
        return { scan: scanMessage(scanView(result.scan)), queued: result.queued };
      }),
      getScan: this.unary([SCAN_READ_SCOPE], async (ctx, req: { scanId?: string }) =>
        scanMessage(scanView(await this.queries.scan(ctx.tenantId, req.scanId ?? ''))),
      ),
      getSbom: this.unary(
        [SCAN_READ_SCOPE],
        async (ctx, req: { imageDigest?: string; format?: string; platform?: string }) => {
          const format = (present(req.format) ?? 'cyclonedx-json') as SbomFormat;
          if (!SBOM_FORMATS.includes(format))
            throw new ScannerError('INVALID_REQUEST', `format must be one of ${SBOM_FORMATS.join(', ')}`);
          const found = await this.queries.sbom(
            ctx.tenantId,
            req.imageDigest ?? '',
            format,
            present(req.platform),
          );
          return {
            format,
            mediaType: SBOM_CONTENT_TYPES[format],
            sha256: found.sha256,
            content: await readAll(found.stream),
          };
        },
      ),
      listComponents: this.unary(
        [SCAN_READ_SCOPE],
        async (
          ctx,
          req: { imageDigest?: string; purl?: string; range?: string; limit?: number; cursor?: string },
        ) => {
          const limit = Math.min(Math.max(req.limit || 1000, 1), this.config.scannerQueryMaxImages);
          const purl = present(req.purl);
          if (purl !== undefined) {
            const range = present(req.range);
            const answer = await this.components.one(
              ctx.tenantId,
              { purl, ...(range !== undefined ? { range } : {}) },
              { cursor: present(req.cursor), limit },
            );
            return { images: answer.images, versions: answer.versions, nextCursor: answer.nextCursor ?? '' };
          }
          const digest = present(req.imageDigest);
          if (digest === undefined) throw new ScannerError('INVALID_REQUEST', 'give image_digest or purl');
          const page = await this.queries.imageComponents(ctx.tenantId, digest, {
            after: decodeComponentCursor(present(req.cursor)),
            limit: Math.min(limit, 5000),
          });
          const last = page.components[page.components.length - 1];
          return {
            components: page.components,
            nextCursor: page.more && last ? encodeComponentCursor(last.purl, last.path) : '',
          };
        },
      ),
    };
  }
}

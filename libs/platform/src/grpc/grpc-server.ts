import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Logger } from '@stella/observability';
import type { Lifecycle } from '../lifecycle/lifecycle.service';

/** How the services load their .proto contracts at run time (camelCase fields, numbers for longs, enum names). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface GrpcServerOptions {
  /** Used in the log lines ("<name> gRPC listening"). */
  readonly name: string;
  /** The folder the .proto imports resolve against (the repository's `proto/`). */
  readonly protoRoot: string;
  /** The .proto file, relative to protoRoot. */
  readonly protoFile: string;
  /** The fully qualified service name, e.g. `stella.scanner.v1.ScannerService`. */
  readonly service: string;
  readonly handlers: grpc.UntypedServiceImplementation;
  readonly host: string;
  /** 0 picks a free port; the bound one is returned. */
  readonly port: number;
  /** PEM certificate chain and key; without them the server listens in plaintext (warned off loopback). */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  readonly channelOptions?: grpc.ChannelOptions;
  readonly logger: Logger;
  /** The server is drained on shutdown (forced after `shutdownGraceMs`). */
  readonly lifecycle: Lifecycle;
  readonly shutdownGraceMs?: number;
}

export interface RunningGrpcServer {
  readonly port: number;
  stop(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/** The service definition named `service` (dotted path) in the loaded .proto. */
export function loadGrpcService(protoRoot: string, protoFile: string, service: string): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(protoFile, { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot] });
  let node: unknown = grpc.loadPackageDefinition(definition);
  for (const part of service.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const ctor = node as grpc.ServiceClientConstructor | undefined;
  if (typeof ctor !== 'function' || !ctor.service) throw new Error(`${service} is not a service in ${protoFile}`);
  return ctor.service;
}

/** Loads the contract, binds the server (TLS when given) and registers its graceful stop with the lifecycle. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server(options.channelOptions);
  server.addService(loadGrpcService(options.protoRoot, options.protoFile, options.service), options.handlers);
  const tls = options.tls;
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  if (!tls && !isLoopback(options.host)) {
    // Bearer tokens travel in metadata: plaintext off loopback is only fine behind a TLS proxy.
    options.logger.warn({ host: options.host }, 'gRPC listens without TLS on a non-loopback address');
  }
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync(`${options.host}:${options.port}`, credentials, (error, bound) =>
      error ? fail(error) : done(bound),
    ),
  );
  options.logger.info({ port, tls: Boolean(tls) }, `${options.name} gRPC listening`);
  let running = true;
  const grace = options.shutdownGraceMs ?? 5_000;
  const stop = (): Promise<void> => {
    if (!running) return Promise.resolve();
    running = false;
    return new Promise<void>((done) => {
      const force = setTimeout(() => server.forceShutdown(), grace);
      force.unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        done();
      });
    });
  };
  options.lifecycle.onShutdown('grpc', stop);
  return { port, stop };
}

/** The first string value of a metadata key, if any. */
export function metadataString(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

export interface GrpcUnaryOptions<Ctx> {
  /** Builds the call context from metadata (authentication and scope checks); its errors are mapped too. */
  readonly authenticate: (metadata: grpc.Metadata) => Promise<Ctx>;
  readonly toServiceError: (error: unknown) => Partial<grpc.ServiceError>;
  /** Errors the caller caused (domain and auth errors): not logged. */
  readonly expected: (error: unknown) => boolean;
  readonly logger: Logger;
}

/** A unary handler: authenticate, run, map the error to a gRPC status (unexpected ones are logged). */
export function grpcUnary<Ctx, Req, Res>(
  options: GrpcUnaryOptions<Ctx>,
  handle: (ctx: Ctx, request: Req) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    options
      .authenticate(call.metadata)
      .then((ctx) => handle(ctx, call.request))
      .then((response) => callback(null, response))
      .catch((error: unknown) => {
        if (!options.expected(error)) {
          options.logger.error({ err: error, method: call.getPath() }, 'gRPC call failed');
        }
        callback(options.toServiceError(error) as grpc.ServiceError);
      });
  };
}

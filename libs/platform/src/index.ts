export { STELLA_BUILD_INFO, STELLA_CONFIG, STELLA_LOGGER, STELLA_METRICS } from './tokens';
export { createServiceApp, runService, type ServiceApp, type ServiceDefinition } from './app/service-app';
export { loadBuildInfo, type BuildInfo } from './app/build-info';
export { PlatformModule } from './app/platform.module';
export {
  ProblemError,
  problemType,
  PROBLEM_TYPE_PREFIX,
  type ProblemDetails,
  type ProblemInit,
} from './problem/problem-error';
export { PROBLEM_CONTENT_TYPE } from './problem/problem-details.filter';
export { ZodValidationPipe, fieldErrors, type FieldError } from './validation/zod-validation.pipe';
export {
  ReadinessRegistry,
  type ReadinessCheck,
  type CheckResult,
  type ReadinessReport,
} from './health/readiness.registry';
export { postgresCheck, natsCheck, objectStoreCheck } from './health/checks';
export { Lifecycle } from './lifecycle/lifecycle.service';
export { STELLA_SERVICE_NAME } from './tokens';
export { DatabaseModule, STELLA_DATA_SOURCE, type DatabaseModuleOptions } from './infra/database.module';
export {
  MessagingModule,
  STELLA_BUS,
  STELLA_OUTBOX_RELAY,
  type MessagingModuleOptions,
} from './infra/messaging.module';
export { runMigrateCommand, migrationConfigSchema } from './infra/migrate-command';
export {
  grpcUnary,
  isLoopback,
  loadGrpcService,
  metadataString,
  PROTO_LOADER_OPTIONS,
  startGrpcServer,
  type GrpcServerOptions,
  type GrpcUnaryOptions,
  type RunningGrpcServer,
} from './grpc/grpc-server';
export { grpcInternalError, grpcServiceError, grpcStatusOfHttp } from './grpc/grpc-errors';

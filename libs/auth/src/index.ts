export { AuthError, authErrorStatus, isAuthError, ServiceTokenError } from './errors';
export type { AuthErrorCode, ServiceTokenErrorCode } from './errors';
export { systemClock, type Clock, type Principal } from './principal';
export {
  createAuthorityTokenVerifier,
  createJwksTokenVerifier,
  createLocalTokenVerifier,
  type JwksTokenVerifierOptions,
  type LocalTokenVerifierOptions,
  type TokenVerifier,
} from './token-verifier';
export { ALLOWED_ALGORITHMS, type PublicJwk, type SigningAlgorithm } from './keys/verification-key';
export { requireAnyScope, requireScopes, requireTenant } from './authorization';
export { verifyBearerMetadata, type MetadataLike } from './bearer-metadata';
export { ServiceTokenClient, type ServiceTokenClientOptions } from './service-token-client';
export { AuthModule, type AuthModuleOptions, type AuthModuleAsyncOptions } from './nest/auth.module';
export { AuthGuard } from './nest/auth.guard';
export { AnyScope, CurrentPrincipal, Public, Scopes, TenantId } from './nest/decorators';
export { principalOf } from './nest/request-principal';
export {
  ANY_OF_SCOPES_METADATA,
  PUBLIC_ROUTE_METADATA,
  REQUIRED_SCOPES_METADATA,
  TOKEN_VERIFIER,
} from './nest/auth.constants';

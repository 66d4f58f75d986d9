import {
  Global,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { TokenVerifier } from '../token-verifier';
import { TOKEN_VERIFIER } from './auth.constants';
import { AuthGuard } from './auth.guard';

export interface AuthModuleOptions {
  verifier: TokenVerifier;
  /**
   * Register AuthGuard as APP_GUARD for every route. Off by default because the platform's
   * health/version/metrics routes must stay reachable without a token; with it on, those need
   * `@Public()` (metadata key 'stella:auth:public'). Without it, put `@UseGuards(AuthGuard)` on controllers.
   */
  guardAllRoutes?: boolean;
}

export interface AuthModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  /** Builds the verifier from injected providers (the authority builds one over its own key store). */
  useFactory: (...deps: never[]) => TokenVerifier | Promise<TokenVerifier>;
  guardAllRoutes?: boolean;
}

@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const providers: Provider[] = [{ provide: TOKEN_VERIFIER, useValue: options.verifier }, AuthGuard];
    if (options.guardAllRoutes === true) providers.push({ provide: APP_GUARD, useExisting: AuthGuard });
    return { module: AuthModule, providers, exports: [TOKEN_VERIFIER, AuthGuard] };
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: TOKEN_VERIFIER, useFactory: options.useFactory, inject: options.inject ?? [] },
      AuthGuard,
    ];
    if (options.guardAllRoutes === true) providers.push({ provide: APP_GUARD, useExisting: AuthGuard });
    return {
      module: AuthModule,
      imports: options.imports ?? [],
      providers,
      exports: [TOKEN_VERIFIER, AuthGuard],
    };
  }
}

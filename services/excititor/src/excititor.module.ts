import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, systemClock, type TokenVerifier } from '@stella/auth';
import { DatabaseModule, MessagingModule } from '@stella/platform';
import { EXCITITOR_CLOCK, type Clock } from './common/ports';
import { VEX_STREAM } from './common/stream';
import type { ExcititorConfig } from './config/excititor-config';
import { GetConsensus } from './consensus/get-consensus.usecase';
import { ExcititorController } from './excititor.controller';
import { IngestVex } from './ingest/ingest-vex.usecase';
import { IssuerRegistry } from './issuers/issuer-registry';
import { IssuerRepository } from './issuers/issuer.repository';
import { IssuersController } from './issuers/issuers.controller';
import { excititorMigrations } from './migrations';
import { VexStore } from './persistence/vex-store';

export interface ExcititorModuleOptions {
  /** Verifies access tokens; tests pass a local verifier, production one over the authority's JWKS. */
  verifier: TokenVerifier;
  clock?: Clock;
}

/** Production verifier: the authority's JWKS at STELLA_AUTHORITY_URL. */
export function jwksVerifierFor(config: ExcititorConfig): TokenVerifier {
  return createAuthorityTokenVerifier('excititor', config);
}

@Module({})
export class ExcititorModule {
  static register(options: ExcititorModuleOptions): DynamicModule {
    return {
      module: ExcititorModule,
      imports: [
        DatabaseModule.forRoot({ defaultSchema: 'excititor', entities: [], migrations: excititorMigrations }),
        MessagingModule.forRoot({ streams: [VEX_STREAM] }),
        AuthModule.forRoot({ verifier: options.verifier, guardAllRoutes: true }),
      ],
      controllers: [ExcititorController, IssuersController],
      providers: [
        { provide: EXCITITOR_CLOCK, useValue: options.clock ?? systemClock },
        VexStore,
        IssuerRepository,
        IssuerRegistry,
        IngestVex,
        GetConsensus,
      ],
    };
  }
}

/** A root module class for createServiceApp/runService, which take a class rather than a dynamic module. */
export function excititorRootModule(options: ExcititorModuleOptions): Type<unknown> {
  @Module({ imports: [ExcititorModule.register(options)] })
  class ExcititorRootModule {}
  return ExcititorRootModule;
}

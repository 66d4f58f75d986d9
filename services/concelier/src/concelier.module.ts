import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { AuthModule, createAuthorityTokenVerifier, systemClock, type TokenVerifier } from '@stella/auth';
import { DatabaseModule, MessagingModule } from '@stella/platform';
import { AdvisoryLinks } from './advisories/advisory-links.usecase';
import { ADVISORY_STREAM } from './common/stream';
import { CONCELIER_CLOCK, CONCELIER_IDS, randomIds, type Clock, type IdGenerator } from './common/ports';
import type { ConcelierConfig } from './config/concelier-config';
import { ConcelierController } from './concelier.controller';
import { ImportAdvisories } from './imports/import-advisories.usecase';
import { MatchSbom } from './matching/match-sbom.usecase';
import { concelierMigrations } from './migrations';
import { AdvisoryStore } from './persistence/advisory-store';

export interface ConcelierModuleOptions {
  /** Verifies access tokens; tests pass a local verifier, production builds one from the authority's JWKS. */
  verifier: TokenVerifier;
  clock?: Clock;
  ids?: IdGenerator;
}

/** Production verifier: the authority's JWKS at STELLA_AUTHORITY_URL. */
export function jwksVerifierFor(config: ConcelierConfig): TokenVerifier {
  return createAuthorityTokenVerifier('concelier', config);
}

@Module({})
export class ConcelierModule {
  static register(options: ConcelierModuleOptions): DynamicModule {
    return {
      module: ConcelierModule,
      imports: [
        DatabaseModule.forRoot({ defaultSchema: 'concelier', entities: [], migrations: concelierMigrations }),
        MessagingModule.forRoot({ streams: [ADVISORY_STREAM] }),
        AuthModule.forRoot({ verifier: options.verifier, guardAllRoutes: true }),
      ],
      controllers: [ConcelierController],
      providers: [
        { provide: CONCELIER_CLOCK, useValue: options.clock ?? systemClock },
        { provide: CONCELIER_IDS, useValue: options.ids ?? randomIds },
        AdvisoryStore,
        ImportAdvisories,
        MatchSbom,
        AdvisoryLinks,
      ],
    };
  }
}

/** A root module class for createServiceApp/runService, which take a class rather than a dynamic module. */
export function concelierRootModule(options: ConcelierModuleOptions): Type<unknown> {
  @Module({ imports: [ConcelierModule.register(options)] })
  class ConcelierRootModule {}
  return ConcelierRootModule;
}

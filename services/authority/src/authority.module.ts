import { Module } from '@nestjs/common';
import { AuthModule, createLocalTokenVerifier } from '@stella/auth';
import { STELLA_CONFIG } from '@stella/platform';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { ClientsModule } from './clients/clients.module';
import { issuerOf, type AuthorityConfig } from './config/authority-config';
import { DiscoveryModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { PersistenceModule } from './persistence/persistence.module';
import { SigningKeysModule } from './signing-keys/signing-keys.module';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { TenantsModule } from './tenants/tenants.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    PersistenceModule,
    EventsModule,
    SigningKeysModule,
    // The authority verifies its own tokens in-process, against the keys it publishes.
    AuthModule.forRootAsync({
      imports: [SigningKeysModule],
      inject: [STELLA_CONFIG, SigningKeysService],
      useFactory: (config: AuthorityConfig, keys: SigningKeysService) =>
        createLocalTokenVerifier({
          issuer: issuerOf(config),
          audience: config.authorityAudiences,
          clockToleranceSec: config.authorityClockSkewSec,
          getKeys: () => keys.publishedKeys(),
        }),
    }),
    TokensModule,
    DiscoveryModule,
    TenantsModule,
    ClientsModule,
    UsersModule,
    BootstrapModule,
  ],
})
export class AuthorityModule {}

import { Module } from '@nestjs/common';
import { RolesController } from '../roles/roles.controller';
import { SigningKeysModule } from '../signing-keys/signing-keys.module';
import { WhoAmIController } from '../whoami/whoami.controller';
import { DiscoveryController } from './discovery.controller';

/** Read-only endpoints: JWKS, server metadata, whoami, the role catalogue. */
@Module({
  imports: [SigningKeysModule],
  controllers: [DiscoveryController, WhoAmIController, RolesController],
})
export class DiscoveryModule {}

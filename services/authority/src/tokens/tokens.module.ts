import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SigningKeysModule } from '../signing-keys/signing-keys.module';
import { UsersModule } from '../users/users.module';
import { TokenController } from './token.controller';
import { TokenGrantsService } from './token-grants.service';
import { TokenIssuer } from './token-issuer';

@Module({
  imports: [SigningKeysModule, ClientsModule, UsersModule],
  controllers: [TokenController],
  providers: [TokenIssuer, TokenGrantsService],
})
export class TokensModule {}

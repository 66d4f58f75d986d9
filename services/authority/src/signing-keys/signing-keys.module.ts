import { Module } from '@nestjs/common';
import { KeyMaintenance } from './key-maintenance';
import { SigningKeyRepository } from './signing-key.repository';
import { SigningKeysController } from './signing-keys.controller';
import { SigningKeysService } from './signing-keys.service';

@Module({
  controllers: [SigningKeysController],
  providers: [SigningKeyRepository, SigningKeysService, KeyMaintenance],
  exports: [SigningKeysService, KeyMaintenance],
})
export class SigningKeysModule {}

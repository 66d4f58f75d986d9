import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TenantRepository } from './tenant.repository';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  imports: [ClientsModule],
  controllers: [TenantsController],
  providers: [TenantRepository, TenantsService],
  exports: [TenantsService],
})
export class TenantsModule {}

import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { BootstrapService } from './bootstrap.service';

@Module({
  imports: [TenantsModule, UsersModule, ClientsModule],
  providers: [BootstrapService],
  exports: [BootstrapService],
})
export class BootstrapModule {}

import { Module } from '@nestjs/common';
import { ClientRepository } from './client.repository';
import { ClientsController } from './clients.controller';
import { ClientsService } from './clients.service';

@Module({
  controllers: [ClientsController],
  providers: [ClientRepository, ClientsService],
  exports: [ClientRepository, ClientsService],
})
export class ClientsModule {}

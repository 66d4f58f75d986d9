import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox (and inbox) of @stella/bus, in the authority's schema. */
export class AuthorityOutbox1764000000001 implements MigrationInterface {
  name = 'AuthorityOutbox1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createOutboxTables(queryRunner, schemaOf(queryRunner.connection));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropOutboxTables(queryRunner, schemaOf(queryRunner.connection));
  }
}

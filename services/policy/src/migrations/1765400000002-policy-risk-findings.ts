import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest verdict per (release, environment) keeps the approvals and the finding set it was
 * made with, so a re-evaluation compares against them without re-reading whole input documents.
 */
export class PolicyRiskFindings1765400000002 implements MigrationInterface {
  name = 'PolicyRiskFindings1765400000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`ALTER TABLE ${s}.release_risk ADD COLUMN approvals jsonb, ADD COLUMN findings jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`ALTER TABLE ${s}.release_risk DROP COLUMN approvals, DROP COLUMN findings`);
  }
}

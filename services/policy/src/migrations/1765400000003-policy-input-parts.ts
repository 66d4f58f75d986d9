import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inputs stored content-addressed: an evaluation keeps its canonical input with each image's
 * component list cut out (`input_parts` says where they go back), and each list is stored once
 * under its digest (`input_part`, insert-only), shared by every evaluation of an image of that
 * SBOM. Evaluations stored before keep their whole input (`input_parts` NULL).
 */
export class PolicyInputParts1765400000003 implements MigrationInterface {
  name = 'PolicyInputParts1765400000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE TABLE ${s}.input_part (
        digest text PRIMARY KEY,
        content text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TRIGGER input_part_insert_only BEFORE UPDATE OR DELETE ON ${s}.input_part
      FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
    await queryRunner.query(`ALTER TABLE ${s}.evaluation ADD COLUMN input_parts jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`ALTER TABLE ${s}.evaluation DROP COLUMN input_parts`);
    await queryRunner.query(`DROP TABLE ${s}.input_part`);
  }
}

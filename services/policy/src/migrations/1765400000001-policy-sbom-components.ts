import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Components per SBOM, stored once per SBOM digest (insert-only) instead of inside every findings
 * snapshot: a re-evaluation then reads and rewrites only findings, and looks up just the
 * components a new advisory concerns.
 */
export class PolicySbomComponents1765400000001 implements MigrationInterface {
  name = 'PolicySbomComponents1765400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE TABLE ${s}.sbom_components (
        sbom_digest text PRIMARY KEY CHECK (sbom_digest ~ '^sha256:[a-f0-9]{64}$'),
        component_count integer NOT NULL,
        components jsonb NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE TRIGGER sbom_components_insert_only BEFORE UPDATE OR DELETE ON ${s}.sbom_components
        FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();
      CREATE INDEX findings_snapshot_sbom ON ${s}.findings_snapshot ((document->>'sbomDigest'));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`DROP INDEX ${s}.findings_snapshot_sbom; DROP TABLE ${s}.sbom_components;`);
  }
}

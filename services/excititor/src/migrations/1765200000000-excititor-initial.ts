import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** VEX documents and their statements are insert-only; triggers refuse UPDATE, DELETE and TRUNCATE. */
export class ExcititorInitial1765200000000 implements MigrationInterface {
  name = 'ExcititorInitial1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE TABLE ${s}.vex_document (
        seq bigserial PRIMARY KEY,
        document_hash text NOT NULL UNIQUE CHECK (document_hash ~ '^sha256:[a-f0-9]{64}$'),
        document_id text NOT NULL,
        format text NOT NULL CHECK (format IN ('openvex', 'csaf', 'cyclonedx')),
        author text NOT NULL,
        issuer text NOT NULL,
        signed boolean NOT NULL,
        verified_key_ids text[] NOT NULL,
        content text NOT NULL,
        ingested_at timestamptz NOT NULL,
        ingested_by text NOT NULL,
        tenant_id text NOT NULL
      );
      CREATE TABLE ${s}.vex_statement (
        seq bigserial PRIMARY KEY,
        document_seq bigint NOT NULL REFERENCES ${s}.vex_document (seq),
        vulnerability_id text NOT NULL,
        aliases text[] NOT NULL,
        product_key text NOT NULL,
        subcomponents text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
        justification text,
        impact_statement text,
        action_statement text,
        statement_time text NOT NULL
      );
      CREATE INDEX vex_statement_pair ON ${s}.vex_statement (product_key, vulnerability_id);
      CREATE INDEX vex_statement_aliases ON ${s}.vex_statement USING gin (aliases);
      CREATE FUNCTION ${s}.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'excititor: % on %.% refused: VEX documents and statements are immutable (aggregation, never merge)',
          TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'P0001';
      END $$;
    `);
    for (const table of ['vex_document', 'vex_statement']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${s}.${table} FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_rewrite();
         CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${s}.${table} FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_rewrite();`,
      );
    }
    await createOutboxTables(queryRunner, schemaOf(queryRunner.connection));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await dropOutboxTables(queryRunner, schemaOf(queryRunner.connection));
    await queryRunner.query(
      `DROP TABLE ${s}.vex_statement, ${s}.vex_document; DROP FUNCTION ${s}.refuse_rewrite();`,
    );
  }
}

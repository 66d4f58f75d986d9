import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Aggregation, never merge: raw documents, their observations, alias links and feed snapshots are
 * insert-only. Triggers refuse UPDATE, DELETE and TRUNCATE so not even a bug or an operator's
 * stray statement can rewrite what a past decision was made against.
 */
export class ConcelierInitial1765100000000 implements MigrationInterface {
  name = 'ConcelierInitial1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE TABLE ${s}.import_run (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        origin text NOT NULL,
        requested_by text NOT NULL,
        tenant_id text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        records_read integer NOT NULL,
        documents_new integer NOT NULL,
        documents_unchanged integer NOT NULL,
        records_refused integer NOT NULL,
        issues jsonb NOT NULL,
        snapshot_id text NOT NULL
      );
      CREATE TABLE ${s}.raw_document (
        seq bigserial PRIMARY KEY,
        source text NOT NULL,
        document_key text NOT NULL,
        content_hash text NOT NULL CHECK (content_hash ~ '^sha256:[a-f0-9]{64}$'),
        content text NOT NULL,
        origin text NOT NULL,
        import_id uuid NOT NULL REFERENCES ${s}.import_run (id) DEFERRABLE INITIALLY DEFERRED,
        imported_at timestamptz NOT NULL
      );
      CREATE INDEX raw_document_current ON ${s}.raw_document (source, document_key, seq DESC);
      CREATE INDEX raw_document_hash ON ${s}.raw_document (content_hash);
      CREATE TABLE ${s}.observation (
        raw_seq bigint PRIMARY KEY REFERENCES ${s}.raw_document (seq),
        source text NOT NULL,
        document_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('advisory', 'kev', 'epss')),
        normalized jsonb NOT NULL,
        package_keys text[] NOT NULL
      );
      CREATE INDEX observation_package_keys ON ${s}.observation USING gin (package_keys);
      CREATE TABLE ${s}.observation_alias (
        raw_seq bigint NOT NULL REFERENCES ${s}.observation (raw_seq),
        alias text NOT NULL,
        PRIMARY KEY (raw_seq, alias)
      );
      CREATE INDEX observation_alias_alias ON ${s}.observation_alias (alias);
      CREATE TABLE ${s}.feed_snapshot (
        id text PRIMARY KEY CHECK (id ~ '^sha256:[a-f0-9]{64}$'),
        max_seq bigint NOT NULL,
        document_count integer NOT NULL,
        import_id uuid NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE FUNCTION ${s}.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'concelier: % on %.% refused: source documents and observations are immutable (aggregation, never merge)',
          TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'P0001';
      END $$;
    `);
    for (const table of ['import_run', 'raw_document', 'observation', 'observation_alias', 'feed_snapshot']) {
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
      `DROP TABLE ${s}.observation_alias, ${s}.observation, ${s}.raw_document, ${s}.feed_snapshot, ${s}.import_run; DROP FUNCTION ${s}.refuse_rewrite();`,
    );
  }
}

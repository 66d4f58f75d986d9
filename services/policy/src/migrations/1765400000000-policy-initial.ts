import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policies, bindings, exceptions, findings snapshots, evaluations and the release/promotion facts
 * tracked from the orchestrator's events. Evidence (policy versions, findings snapshots,
 * evaluations) is insert-only: triggers refuse UPDATE and DELETE, so what a past decision was made
 * against can never be rewritten.
 */
export class PolicyInitial1765400000000 implements MigrationInterface {
  name = 'PolicyInitial1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '%.% is insert-only', TG_TABLE_SCHEMA, TG_TABLE_NAME;
      END $$;

      CREATE TABLE ${s}.policy_version (
        tenant_id text NOT NULL,
        name text NOT NULL,
        version text NOT NULL,
        policy_hash text NOT NULL CHECK (policy_hash ~ '^sha256:[a-f0-9]{64}$'),
        source text NOT NULL,
        description text,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        PRIMARY KEY (tenant_id, name, version)
      );
      CREATE TRIGGER policy_version_insert_only BEFORE UPDATE OR DELETE ON ${s}.policy_version
        FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();

      CREATE TABLE ${s}.policy_binding (
        tenant_id text NOT NULL,
        environment text NOT NULL,
        policy_name text NOT NULL,
        policy_version text NOT NULL,
        bound_at timestamptz NOT NULL,
        bound_by text NOT NULL,
        PRIMARY KEY (tenant_id, environment),
        FOREIGN KEY (tenant_id, policy_name, policy_version)
          REFERENCES ${s}.policy_version (tenant_id, name, version)
      );

      CREATE TABLE ${s}.policy_exception (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        vulnerability_id text NOT NULL,
        component text NOT NULL,
        environment text NOT NULL,
        reason text NOT NULL,
        expires_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('requested', 'approved', 'revoked')),
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        approved_by text,
        approved_at timestamptz,
        revoked_by text,
        revoked_at timestamptz,
        revoke_reason text
      );
      CREATE INDEX policy_exception_scope ON ${s}.policy_exception (tenant_id, environment, status);

      CREATE TABLE ${s}.findings_snapshot (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE CHECK (id ~ '^sha256:[a-f0-9]{64}$'),
        image_digest text NOT NULL CHECK (image_digest ~ '^sha256:[a-f0-9]{64}$'),
        feed_snapshot_id text,
        vex_snapshot_id text,
        document jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        cause jsonb NOT NULL
      );
      CREATE INDEX findings_snapshot_digest ON ${s}.findings_snapshot (image_digest, seq DESC);
      CREATE TRIGGER findings_snapshot_insert_only BEFORE UPDATE OR DELETE ON ${s}.findings_snapshot
        FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();

      CREATE TABLE ${s}.current_findings (
        image_digest text PRIMARY KEY,
        snapshot_id text NOT NULL REFERENCES ${s}.findings_snapshot (id),
        updated_at timestamptz NOT NULL
      );

      CREATE TABLE ${s}.evaluation (
        id text PRIMARY KEY CHECK (id ~ '^sha256:[a-f0-9]{64}$'),
        seq bigserial NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        release_id text NOT NULL,
        release_name text NOT NULL,
        release_version text NOT NULL,
        environment text NOT NULL,
        policy_name text NOT NULL,
        policy_version text NOT NULL,
        policy_hash text NOT NULL,
        policy_source text NOT NULL,
        input_digest text NOT NULL,
        input_document text NOT NULL,
        verdict_digest text NOT NULL,
        verdict_bytes text NOT NULL,
        engine_version text NOT NULL,
        outcome text NOT NULL,
        summary text NOT NULL,
        evaluated_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        requested_by text NOT NULL,
        cause jsonb NOT NULL
      );
      CREATE INDEX evaluation_release ON ${s}.evaluation (tenant_id, release_id, environment, seq DESC);
      CREATE TRIGGER evaluation_insert_only BEFORE UPDATE OR DELETE ON ${s}.evaluation
        FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();

      CREATE TABLE ${s}.tracked_release (
        tenant_id text NOT NULL,
        release_id text NOT NULL,
        name text NOT NULL,
        version text NOT NULL,
        components jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, release_id)
      );
      CREATE TABLE ${s}.release_digest (
        tenant_id text NOT NULL,
        release_id text NOT NULL,
        image_digest text NOT NULL,
        PRIMARY KEY (tenant_id, release_id, image_digest)
      );
      CREATE INDEX release_digest_digest ON ${s}.release_digest (image_digest);

      CREATE TABLE ${s}.tracked_promotion (
        tenant_id text NOT NULL,
        promotion_id text NOT NULL,
        release_id text NOT NULL,
        environment text NOT NULL,
        state text NOT NULL,
        seq integer NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, promotion_id)
      );
      CREATE INDEX tracked_promotion_release ON ${s}.tracked_promotion (tenant_id, release_id);

      CREATE TABLE ${s}.deployed_release (
        tenant_id text NOT NULL,
        environment text NOT NULL,
        release_id text NOT NULL,
        promotion_id text NOT NULL,
        deployed_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, environment)
      );

      CREATE TABLE ${s}.release_risk (
        tenant_id text NOT NULL,
        release_id text NOT NULL,
        environment text NOT NULL,
        evaluation_id text NOT NULL REFERENCES ${s}.evaluation (id),
        outcome text NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, release_id, environment)
      );
    `);
    await createOutboxTables(queryRunner, schemaOf(queryRunner.connection));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await dropOutboxTables(queryRunner, schemaOf(queryRunner.connection));
    await queryRunner.query(`
      DROP TABLE ${s}.release_risk, ${s}.deployed_release, ${s}.tracked_promotion, ${s}.release_digest,
        ${s}.tracked_release, ${s}.evaluation, ${s}.current_findings, ${s}.findings_snapshot,
        ${s}.policy_exception, ${s}.policy_binding, ${s}.policy_version;
      DROP FUNCTION ${s}.refuse_change();
    `);
  }
}

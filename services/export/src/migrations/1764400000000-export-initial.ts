import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Decisions and releases as received, packets and audit packs (metadata; bytes in S3), outbox and inbox. */
export class ExportInitial1764400000000 implements MigrationInterface {
  name = 'ExportInitial1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    // What the orchestrator recorded: the record (canonical JSON) and its inputs document.
    await queryRunner.query(`
      CREATE TABLE ${s}.decisions (
        tenant_id text NOT NULL,
        decision_id text NOT NULL,
        promotion_id text NOT NULL,
        environment text NOT NULL,
        verdict text NOT NULL,
        release_digest text NOT NULL,
        evaluated_at timestamptz NOT NULL,
        record text NOT NULL,
        inputs text,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, decision_id)
      )`);
    // Release manifests by identity (from stella.orchestrator.release.created).
    await queryRunner.query(`
      CREATE TABLE ${s}.releases (
        tenant_id text NOT NULL,
        release_id text NOT NULL,
        manifest text NOT NULL,
        PRIMARY KEY (tenant_id, release_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.packets (
        packet_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        decision_id text NOT NULL,
        environment text NOT NULL,
        verdict text NOT NULL,
        release_digest text NOT NULL,
        evaluated_at timestamptz NOT NULL,
        attestation_id uuid NOT NULL,
        log_index bigint NOT NULL,
        object_key text NOT NULL,
        sha256 text NOT NULL,
        size_bytes bigint NOT NULL,
        retention_class text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX packets_decision ON ${s}.packets (tenant_id, decision_id)`);
    await queryRunner.query(`CREATE INDEX packets_environment_time ON ${s}.packets (tenant_id, environment, evaluated_at)`);
    await queryRunner.query(`CREATE INDEX packets_expiry ON ${s}.packets (expires_at) WHERE deleted_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.audit_packs (
        audit_pack_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        environment text NOT NULL,
        range_from timestamptz NOT NULL,
        range_to timestamptz NOT NULL,
        decision_count integer NOT NULL,
        object_key text NOT NULL,
        sha256 text NOT NULL,
        size_bytes bigint NOT NULL,
        retention_class text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX audit_packs_expiry ON ${s}.audit_packs (expires_at) WHERE deleted_at IS NULL`);
    await createOutboxTables(queryRunner, schema);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await dropOutboxTables(queryRunner, schema);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.audit_packs, ${s}.packets, ${s}.releases, ${s}.decisions`);
  }
}

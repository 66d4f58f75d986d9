import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transparency log (leaves, node cache, signed checkpoints), attestations, outbox and inbox. */
export class AttestorInitial1764200000000 implements MigrationInterface {
  name = 'AttestorInitial1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await queryRunner.query(`
      CREATE TABLE ${s}.tlog_leaves (
        leaf_index bigint PRIMARY KEY,
        leaf_hash bytea NOT NULL,
        data bytea NOT NULL,
        content_type text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX tlog_leaves_by_hash ON ${s}.tlog_leaves (leaf_hash)`);
    // Every complete perfect subtree (level 0 = leaf hashes): a proof reads O(log n) of these.
    await queryRunner.query(`
      CREATE TABLE ${s}.tlog_nodes (
        level smallint NOT NULL,
        node_index bigint NOT NULL,
        hash bytea NOT NULL,
        PRIMARY KEY (level, node_index)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.tlog_checkpoints (
        tree_size bigint PRIMARY KEY,
        root_hash bytea NOT NULL,
        note text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.attestations (
        attestation_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        predicate_type text NOT NULL,
        subject_digests text[] NOT NULL,
        envelope_digest text NOT NULL,
        key_ids text[] NOT NULL,
        certificate_chain text[] NOT NULL,
        log_index bigint NOT NULL REFERENCES ${s}.tlog_leaves (leaf_index),
        checkpoint_size bigint NOT NULL REFERENCES ${s}.tlog_checkpoints (tree_size),
        inclusion_proof bytea[] NOT NULL,
        decision_id text,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX attestations_envelope ON ${s}.attestations (tenant_id, envelope_digest)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX attestations_decision ON ${s}.attestations (tenant_id, decision_id) WHERE decision_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX attestations_subjects ON ${s}.attestations USING gin (subject_digests)`,
    );
    await createOutboxTables(queryRunner, schema);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await dropOutboxTables(queryRunner, schema);
    await queryRunner.query(
      `DROP TABLE IF EXISTS ${s}.attestations, ${s}.tlog_checkpoints, ${s}.tlog_nodes, ${s}.tlog_leaves`,
    );
  }
}

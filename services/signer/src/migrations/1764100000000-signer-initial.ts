import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Root CA, signing keys (private keys sealed with the KEK), the signature audit trail, and the outbox. */
export class SignerInitial1764100000000 implements MigrationInterface {
  name = 'SignerInitial1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await queryRunner.query(`
      CREATE TABLE ${s}.signer_ca (
        ca_id text PRIMARY KEY,
        certificate_pem text NOT NULL,
        sealed_private_key bytea NOT NULL,
        kek_id text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.signer_keys (
        key_id text PRIMARY KEY,
        algorithm text NOT NULL CHECK (algorithm IN ('ed25519', 'ecdsa-p256-sha256')),
        public_key_pem text NOT NULL,
        sealed_private_key bytea NOT NULL,
        kek_id text NOT NULL,
        certificate_pem text NOT NULL,
        ca_id text NOT NULL REFERENCES ${s}.signer_ca (ca_id),
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
        origin text NOT NULL CHECK (origin IN ('generated', 'imported')),
        created_at timestamptz NOT NULL,
        retired_at timestamptz,
        revoked_at timestamptz,
        revocation_reason text
      )`);
    // At most one key signs at a time; rotation flips it inside one transaction.
    await queryRunner.query(
      `CREATE UNIQUE INDEX signer_keys_single_active ON ${s}.signer_keys ((true)) WHERE status = 'active'`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.signer_audit (
        audit_id bigserial PRIMARY KEY,
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL REFERENCES ${s}.signer_keys (key_id),
        tenant_id text NOT NULL,
        client_id text NOT NULL,
        subject text NOT NULL,
        purpose text NOT NULL,
        payload_type text NOT NULL,
        payload_sha256 text NOT NULL,
        signature_sha256 text NOT NULL,
        transport text NOT NULL CHECK (transport IN ('http', 'nats'))
      )`);
    await queryRunner.query(`CREATE INDEX signer_audit_client ON ${s}.signer_audit (client_id, signed_at)`);
    await queryRunner.query(`CREATE INDEX signer_audit_key ON ${s}.signer_audit (key_id, signed_at)`);
    await createOutboxTables(queryRunner, schema);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await dropOutboxTables(queryRunner, schema);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.signer_audit, ${s}.signer_keys, ${s}.signer_ca`);
  }
}

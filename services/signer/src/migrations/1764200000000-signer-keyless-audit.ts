import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit of Sigstore keyless signatures: no Stella key signs them (an ephemeral key certified by
 * Fulcio does), so they live beside `signer_audit` and draw their ids from the same sequence.
 */
export class SignerKeylessAudit1764200000000 implements MigrationInterface {
  name = 'SignerKeylessAudit1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE TABLE ${s}.signer_keyless_audit (
        audit_id bigint PRIMARY KEY,
        signed_at timestamptz NOT NULL,
        tenant_id text NOT NULL,
        client_id text NOT NULL,
        subject text NOT NULL,
        purpose text NOT NULL,
        payload_type text NOT NULL,
        payload_sha256 text NOT NULL,
        signature_sha256 text NOT NULL,
        certificate_sha256 text NOT NULL,
        certificate_identity text NOT NULL,
        fulcio_url text NOT NULL,
        rekor_url text,
        rekor_log_index bigint,
        transport text NOT NULL CHECK (transport IN ('http', 'nats'))
      )`);
    await queryRunner.query(
      `CREATE INDEX signer_keyless_audit_client ON ${s}.signer_keyless_audit (client_id, signed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`DROP TABLE ${s}.signer_keyless_audit`);
  }
}

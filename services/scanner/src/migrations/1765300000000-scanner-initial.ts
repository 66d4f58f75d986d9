import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Scans (one per tenant, image digest and platform), SBOM objects, the component index, idempotency keys, outbox and inbox. */
export class ScannerInitial1765300000000 implements MigrationInterface {
  name = 'ScannerInitial1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await queryRunner.query(`
      CREATE TABLE ${s}.scans (
        scan_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        image_digest text NOT NULL,
        platform text NOT NULL,
        repository text NOT NULL,
        requested_ref text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        platform_digest text,
        config_digest text,
        component_count integer,
        sboms jsonb,
        error_code text,
        error_message text,
        refused boolean NOT NULL DEFAULT false,
        scanner_version text,
        analyzer_version integer,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        completed_at timestamptz
      )`);
    // Scan once per digest: a second request finds this row and never queues another job.
    await queryRunner.query(
      `CREATE UNIQUE INDEX scans_by_image ON ${s}.scans (tenant_id, image_digest, platform)`,
    );
    await queryRunner.query(
      `CREATE INDEX scans_by_status ON ${s}.scans (status, updated_at) WHERE status <> 'completed'`,
    );
    // The component index: "which scanned images contain package P (in version range V)".
    // One row per component location; namespace is '' when the purl has none.
    await queryRunner.query(`
      CREATE TABLE ${s}.components (
        tenant_id text NOT NULL,
        purl_type text NOT NULL,
        namespace text NOT NULL,
        name text NOT NULL,
        version text NOT NULL,
        image_digest text NOT NULL,
        layer_digest text NOT NULL,
        path text NOT NULL,
        purl text NOT NULL,
        scan_id uuid NOT NULL REFERENCES ${s}.scans (scan_id)
      )`);
    // Covering index for package lookups: (package) -> versions -> image digests, answered by an
    // index-only scan; versions are filtered by range on the few distinct versions of a package.
    await queryRunner.query(
      `CREATE INDEX components_by_package ON ${s}.components (tenant_id, purl_type, namespace, name, version, image_digest)`,
    );
    await queryRunner.query(`CREATE INDEX components_by_image ON ${s}.components (tenant_id, image_digest)`);
    await queryRunner.query(`CREATE INDEX components_by_scan ON ${s}.components (scan_id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.idempotency_keys (
        tenant_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        scan_id uuid NOT NULL REFERENCES ${s}.scans (scan_id),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, key)
      )`);
    await createOutboxTables(queryRunner, schema);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.connection);
    const s = quoteSchema(schema);
    await dropOutboxTables(queryRunner, schema);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.idempotency_keys, ${s}.components, ${s}.scans`);
  }
}

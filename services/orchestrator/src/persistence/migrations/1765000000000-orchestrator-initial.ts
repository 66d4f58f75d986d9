import { createOutboxTables, dropOutboxTables } from '@stella/bus';
import { schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN_STATES = `('requested', 'evaluating', 'awaiting_approval', 'approved', 'deploying')`;

/** Tables of the release control plane. Shipped migrations are never edited: add a new one. */
export class OrchestratorInitial1765000000000 implements MigrationInterface {
  name = 'OrchestratorInitial1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q.connection);
    // Timestamps inside JSON built by SQL: RFC 3339 UTC with milliseconds, as the API renders them.
    await q.query(`
      CREATE FUNCTION iso_utc(timestamptz) RETURNS text LANGUAGE sql IMMUTABLE STRICT
      AS $$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$`);
    await q.query(`
      CREATE TABLE tenants (
        tenant_id text PRIMARY KEY,
        created_at timestamptz NOT NULL
      )`);
    // Head of each tenant's audit chain: the chainer locks it, so the chain is strictly ordered.
    await q.query(`
      CREATE TABLE audit_heads (
        tenant_id text PRIMARY KEY REFERENCES tenants,
        last_seq bigint NOT NULL,
        last_hash text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        tenant_id text NOT NULL,
        seq bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        actor text NOT NULL,
        content text NOT NULL,
        content_digest text NOT NULL,
        prev_hash text NOT NULL,
        entry_hash text NOT NULL,
        PRIMARY KEY (tenant_id, seq)
      )`);
    // Entries wait here (written in the transaction of their change, no lock) until the chainer
    // appends them to audit_log in batches: chaining never serializes the changes themselves.
    await q.query(`
      CREATE TABLE audit_pending (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        actor text NOT NULL,
        content text NOT NULL,
        content_digest text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE promotion_paths (
        tenant_id text PRIMARY KEY REFERENCES tenants,
        environments text[] NOT NULL,
        allow_skip boolean NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE environments (
        tenant_id text NOT NULL REFERENCES tenants,
        name text NOT NULL,
        display_name text NOT NULL,
        policy jsonb NOT NULL,
        policy_digest text NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, name)
      )`);
    await q.query(`
      CREATE TABLE components (
        tenant_id text NOT NULL REFERENCES tenants,
        name text NOT NULL,
        repository text NOT NULL,
        auto_release boolean NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        PRIMARY KEY (tenant_id, name)
      )`);
    await q.query(`CREATE INDEX components_auto_release_idx ON components (repository) WHERE auto_release`);
    await q.query(`
      CREATE TABLE releases (
        tenant_id text NOT NULL REFERENCES tenants,
        id text NOT NULL,
        name text NOT NULL,
        version text NOT NULL,
        manifest text NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        origin text NOT NULL,
        PRIMARY KEY (tenant_id, id),
        CONSTRAINT releases_name_version_key UNIQUE (tenant_id, name, version)
      )`);
    await q.query(`CREATE INDEX releases_created_idx ON releases (tenant_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE release_components (
        tenant_id text NOT NULL,
        release_id text NOT NULL,
        component text NOT NULL,
        repository text NOT NULL,
        digest text NOT NULL,
        media_type text NOT NULL,
        source_tag text,
        platforms jsonb NOT NULL,
        platform_digests text[] NOT NULL,
        PRIMARY KEY (tenant_id, release_id, component),
        FOREIGN KEY (tenant_id, release_id) REFERENCES releases
      )`);
    await q.query(`CREATE INDEX release_components_digest_idx ON release_components (tenant_id, digest)`);
    await q.query(
      `CREATE INDEX release_components_platform_digests_idx ON release_components USING gin (platform_digests)`,
    );
    await q.query(`
      CREATE TABLE decisions (
        tenant_id text NOT NULL,
        id text NOT NULL,
        verdict text NOT NULL CHECK (verdict IN ('allow', 'deny')),
        environment text NOT NULL,
        release_id text NOT NULL,
        record text NOT NULL,
        record_digest text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(`
      CREATE TABLE promotions (
        tenant_id text NOT NULL,
        id uuid NOT NULL,
        release_id text NOT NULL,
        environment text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('promotion', 'rollback')),
        state text NOT NULL CHECK (state IN ('requested', 'evaluating', 'awaiting_approval', 'approved',
          'deploying', 'deployed', 'rejected', 'failed', 'cancelled')),
        seq integer NOT NULL,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        comment text,
        break_glass jsonb,
        decision_id text,
        approved_at timestamptz,
        last_evaluation jsonb,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, release_id) REFERENCES releases,
        FOREIGN KEY (tenant_id, environment) REFERENCES environments,
        FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions
      )`);
    // Concurrency rules as constraints: one open promotion per release and environment, and at
    // most one deployment running per environment, whatever the application does.
    await q.query(
      `CREATE UNIQUE INDEX promotions_one_open_key ON promotions (tenant_id, release_id, environment) WHERE state IN ${OPEN_STATES}`,
    );
    await q.query(
      `CREATE UNIQUE INDEX promotions_one_deploying_key ON promotions (tenant_id, environment) WHERE state = 'deploying'`,
    );
    await q.query(`CREATE INDEX promotions_queue_idx ON promotions (tenant_id, environment, approved_at) WHERE state = 'approved'`);
    await q.query(`CREATE INDEX promotions_release_idx ON promotions (tenant_id, release_id, environment, requested_at)`);
    await q.query(`CREATE INDEX promotions_requested_idx ON promotions (tenant_id, requested_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE promotion_transitions (
        tenant_id text NOT NULL,
        promotion_id uuid NOT NULL,
        seq integer NOT NULL,
        from_state text,
        to_state text NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        reason text,
        decision_id text,
        PRIMARY KEY (tenant_id, promotion_id, seq)
      )`);
    await q.query(`
      CREATE TABLE approvals (
        tenant_id text NOT NULL,
        promotion_id uuid NOT NULL,
        approver text NOT NULL,
        approved_at timestamptz NOT NULL,
        comment text,
        roles text[] NOT NULL,
        PRIMARY KEY (tenant_id, promotion_id, approver)
      )`);
    await q.query(`
      CREATE TABLE deployments (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text NOT NULL,
        environment text NOT NULL,
        release_id text NOT NULL,
        promotion_id uuid NOT NULL,
        kind text NOT NULL,
        deployed_at timestamptz NOT NULL,
        superseded_at timestamptz,
        FOREIGN KEY (tenant_id, environment) REFERENCES environments,
        FOREIGN KEY (tenant_id, release_id) REFERENCES releases
      )`);
    await q.query(
      `CREATE UNIQUE INDEX deployments_current_key ON deployments (tenant_id, environment) WHERE superseded_at IS NULL`,
    );
    await q.query(`CREATE INDEX deployments_history_idx ON deployments (tenant_id, environment, deployed_at DESC, id DESC)`);
    await q.query(`CREATE INDEX deployments_release_idx ON deployments (tenant_id, release_id)`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        tenant_id text NOT NULL,
        key text NOT NULL,
        operation text NOT NULL,
        request_hash text NOT NULL,
        response text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
    await q.query(`
      CREATE TABLE registry_notifications (
        tenant_id text NOT NULL,
        event_id text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, event_id)
      )`);
    // Immutable records refuse UPDATE and DELETE. The audit chain still detects a DBA who bypasses
    // this (session_replication_role = replica): the trigger prevents accidents, the chain proves.
    await q.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'rows of %.% are immutable', TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = '55000';
      END $$`);
    for (const table of ['releases', 'release_components', 'decisions', 'audit_log', 'approvals', 'promotion_transitions']) {
      await q.query(
        `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_change()`,
      );
    }
    await createOutboxTables(q, schema);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q.connection);
    await dropOutboxTables(q, schema);
    for (const table of [
      'registry_notifications',
      'idempotency_keys',
      'deployments',
      'approvals',
      'promotion_transitions',
      'promotions',
      'decisions',
      'release_components',
      'releases',
      'components',
      'environments',
      'promotion_paths',
      'audit_pending',
      'audit_log',
      'audit_heads',
      'tenants',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS refuse_change()`);
    await q.query(`DROP FUNCTION IF EXISTS iso_utc(timestamptz)`);
  }
}

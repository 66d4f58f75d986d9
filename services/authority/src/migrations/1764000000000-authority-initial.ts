import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, clients, users, role grants and signing keys. Every table lives in the service's own
 * schema (search_path), so no statement names a schema. The outbox table is added by the next
 * migration through @stella/bus.
 */
export class AuthorityInitial1764000000000 implements MigrationInterface {
  name = 'AuthorityInitial1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id          text PRIMARY KEY,
        name        text NOT NULL,
        created_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE clients (
        client_id       text PRIMARY KEY,
        tenant_id       text NOT NULL REFERENCES tenants (id),
        name            text NOT NULL,
        secret_sha256   bytea NOT NULL,
        secret_version  integer NOT NULL,
        allowed_scopes  text[] NOT NULL,
        disabled        boolean NOT NULL DEFAULT false,
        disabled_reason text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        UNIQUE (tenant_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE users (
        id             text PRIMARY KEY,
        tenant_id      text NOT NULL REFERENCES tenants (id),
        username       text NOT NULL,
        password_hash  text NOT NULL,
        disabled       boolean NOT NULL DEFAULT false,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        UNIQUE (tenant_id, username)
      )`);
    await queryRunner.query(`
      CREATE TABLE user_roles (
        user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role        text NOT NULL,
        granted_at  timestamptz NOT NULL,
        PRIMARY KEY (user_id, role)
      )`);
    await queryRunner.query(`
      CREATE TABLE signing_keys (
        kid                  text PRIMARY KEY,
        algorithm            text NOT NULL CHECK (algorithm IN ('EdDSA', 'ES256')),
        state                text NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
        public_jwk           jsonb NOT NULL,
        private_key_sealed   bytea,
        kek_id               text NOT NULL,
        created_at           timestamptz NOT NULL,
        rotated_at           timestamptz,
        retire_after         timestamptz,
        retired_at           timestamptz
      )`);
    // At most one active key: replicas racing to create or rotate cannot both win.
    await queryRunner.query(
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active'`,
    );
    await queryRunner.query(`
      CREATE TABLE bootstrap_state (
        id            boolean PRIMARY KEY DEFAULT true CHECK (id),
        completed_at  timestamptz NOT NULL,
        tenant_id     text NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['bootstrap_state', 'signing_keys', 'user_roles', 'users', 'clients', 'tenants']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}

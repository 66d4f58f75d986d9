import { quoteSchema, schemaOf } from '@stella/db';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trusted VEX issuers managed at runtime (PUT/DELETE /api/v1/issuers/:id). Issuers from the
 * configuration (STELLA_EXCITITOR_ISSUERS) are never stored here. `generation` increases on every
 * change so replicas notice them cheaply.
 */
export class ExcititorIssuerRegistry1766600000000 implements MigrationInterface {
  name = 'ExcititorIssuerRegistry1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`
      CREATE TABLE ${s}.vex_issuer (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,127}$'),
        trust integer NOT NULL CHECK (trust BETWEEN 0 AND 100),
        authors text[] NOT NULL,
        public_keys jsonb NOT NULL,
        require_signature boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      );
      CREATE TABLE ${s}.vex_issuer_generation (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        generation bigint NOT NULL
      );
      INSERT INTO ${s}.vex_issuer_generation (singleton, generation) VALUES (true, 0);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteSchema(schemaOf(queryRunner.connection));
    await queryRunner.query(`DROP TABLE ${s}.vex_issuer_generation, ${s}.vex_issuer;`);
  }
}

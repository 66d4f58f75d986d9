import type { QueryRunner } from 'typeorm';
import { quoteSchema } from '@stella/db';

export const OUTBOX_TABLE = 'stella_outbox';
export const INBOX_TABLE = 'stella_inbox';
/** LISTEN/NOTIFY channel; the payload is the schema whose outbox got rows. */
export const OUTBOX_CHANNEL = 'stella_outbox';

/**
 * DDL of the outbox and inbox tables. Call from one of the service's own migrations:
 * `await createOutboxTables(queryRunner, 'authority')` in `up`, `dropOutboxTables` in `down`.
 * The DDL is fixed: changing it later needs a new helper version, never an edit of this one.
 */
export async function createOutboxTables(queryRunner: QueryRunner, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await queryRunner.query(`
    CREATE TABLE ${s}.${OUTBOX_TABLE} (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id text NOT NULL,
      event_type text NOT NULL,
      body text NOT NULL,
      traceparent text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      published_at timestamptz,
      publish_attempts integer NOT NULL DEFAULT 0,
      last_error text,
      CONSTRAINT ${OUTBOX_TABLE}_event_id_key UNIQUE (event_id)
    )`);
  await queryRunner.query(
    `CREATE INDEX ${OUTBOX_TABLE}_unpublished_idx ON ${s}.${OUTBOX_TABLE} (seq) WHERE published_at IS NULL`,
  );
  await queryRunner.query(
    `CREATE INDEX ${OUTBOX_TABLE}_published_at_idx ON ${s}.${OUTBOX_TABLE} (published_at) WHERE published_at IS NOT NULL`,
  );
  await queryRunner.query(`
    CREATE TABLE ${s}.${INBOX_TABLE} (
      consumer text NOT NULL,
      event_id text NOT NULL,
      event_type text NOT NULL,
      stream_seq bigint,
      processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (consumer, event_id)
    )`);
  await queryRunner.query(
    `CREATE INDEX ${INBOX_TABLE}_processed_at_idx ON ${s}.${INBOX_TABLE} (processed_at)`,
  );
}

/**
 * DDL v2 of the outbox: `failed_at`, set by the relay on a row it will never publish (larger than
 * the server's max payload): a dead-letter state, with the reason in last_error. Idempotent; the
 * relay applies it itself to outboxes created before it, a service may also call
 * addOutboxDeadLetter from a migration.
 */
export function outboxDeadLetterDdl(schema: string): string {
  return `ALTER TABLE ${quoteSchema(schema)}.${OUTBOX_TABLE} ADD COLUMN IF NOT EXISTS failed_at timestamptz`;
}

export async function addOutboxDeadLetter(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(outboxDeadLetterDdl(schema));
}

export async function dropOutboxTables(queryRunner: QueryRunner, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await queryRunner.query(`DROP TABLE IF EXISTS ${s}.${INBOX_TABLE}`);
  await queryRunner.query(`DROP TABLE IF EXISTS ${s}.${OUTBOX_TABLE}`);
}

import type { EntityManager } from 'typeorm';
import { encodeEvent, parseEvent, type AnyCloudEvent, type CloudEvent } from '@stella/contracts';
import { quoteSchema } from '@stella/db';
import { BusError } from '../errors';
import { OUTBOX_CHANNEL, OUTBOX_TABLE } from './tables';

export interface EnqueueResult {
  /** False when an event with the same id was already in the outbox (content-derived ids). */
  inserted: boolean;
}

/**
 * Writes events into the outbox inside the caller's transaction, so they are published if and
 * only if the transaction commits. The insert also NOTIFYs the relay (delivered at commit).
 */
export class OutboxWriter {
  private readonly table: string;
  private readonly schema: string;

  constructor(schema: string) {
    this.table = `${quoteSchema(schema)}.${OUTBOX_TABLE}`;
    this.schema = schema;
  }

  async enqueue(manager: EntityManager, event: AnyCloudEvent | CloudEvent): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany(manager, [event]);
    return result!;
  }

  /** Several events in one statement, in the given order (their outbox order). */
  async enqueueMany(
    manager: EntityManager,
    events: ReadonlyArray<AnyCloudEvent | CloudEvent>,
  ): Promise<EnqueueResult[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new BusError(
        'OUTBOX_REQUIRES_TRANSACTION',
        'outbox.enqueue needs the EntityManager of an open transaction (withTransaction / dataSource.transaction)',
      );
    }
    if (events.length === 0) return [];
    const validated = events.map((event) => parseEvent(event));
    const values: unknown[] = [];
    const tuples = validated.map((event, index) => {
      values.push(event.id, event.type, encodeEvent(event), event.traceparent ?? null);
      const base = index * 4;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4})`;
    });
    values.push(this.schema);
    const rows: Array<{ event_id: string }> = await manager.query(
      `WITH inserted AS (
         INSERT INTO ${this.table} (event_id, event_type, body, traceparent)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id
       )
       SELECT event_id, pg_notify('${OUTBOX_CHANNEL}', $${values.length}) FROM inserted`,
      values,
    );
    const insertedIds = new Set(rows.map((row) => row.event_id));
    return validated.map((event) => ({ inserted: insertedIds.has(event.id) }));
  }
}
